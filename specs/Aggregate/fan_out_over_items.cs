using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A fan-out over items: each "days" task (one per sales blob) reports the days it found as a metadata list; "per-day"
/// runs one task per item of the lists, in partition order, each over all the sales with the day as its item.
/// </summary>
public sealed class fan_out_over_items : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => ProcessGraph.Define("sales-by-day", 1)
        .Map("days", DataSource.Dataset("sales"), StepWork.Sql("SELECT DISTINCT day FROM input"), s => s.ReportList("days", "day"))
        .Map("per-day", Metadata.Items("days", "days"), StepWork.Sql("SELECT count(*) FROM input WHERE day = getvariable('item')"), over: DataSource.Dataset("sales"),
            configure: s => s.Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)))
        .Build();

    private static Dictionary<string, string> Days(params string[] days) => new() { ["days"] = MetadataList.Format(days), ["rows"] = $"{days.Length}" };

    private IReadOnlyList<TaskInput> AllSales() => Inputs("input", Data["sales"]);

    private IProcessEvent[] DaysRunning() =>
    [
        Started(), StepStarted("days", 2),
        Scheduled("days", 0, Inputs("input", Data["sales"][0])), Scheduled("days", 1, Inputs("input", Data["sales"][1])),
    ];

    [Fact]
    public void one_task_per_item_of_every_list_in_partition_order_each_given_its_item()
    {
        Given([.. DaysRunning(), Confirmed("days", 0, metadata: Days("2026-05-01", "2026-05-02"))]);
        When(Confirm("days", 1, metadata: Days("2026-05-03")));
        Expect(Confirmed("days", 1, metadata: Days("2026-05-03")), StepCompleted("days", 2), StepStarted("per-day", 3),
            Scheduled("per-day", 0, AllSales(), item: "2026-05-01"),
            Scheduled("per-day", 1, AllSales(), item: "2026-05-02"),
            Scheduled("per-day", 2, AllSales(), item: "2026-05-03"));
    }

    [Fact]
    public void a_retried_task_keeps_its_item()
    {
        Given([.. DaysRunning(), Confirmed("days", 0, metadata: Days("2026-05-01")), Confirmed("days", 1, metadata: Days("2026-05-02")),
            StepCompleted("days", 2), StepStarted("per-day", 2),
            Scheduled("per-day", 0, AllSales(), item: "2026-05-01"), Scheduled("per-day", 1, AllSales(), item: "2026-05-02")]);
        When(Fail("per-day", 1, "connection reset", retryable: true));
        Expect(AttemptFailed("per-day", 1, "connection reset", retryable: true),
            RetryScheduled("per-day", 1, 2, TimeSpan.FromSeconds(2), "connection reset", Epoch),
            Rescheduled("per-day", 1, 2, AllSales(), Epoch, TimeSpan.FromSeconds(2), item: "2026-05-02"));
    }

    [Fact]
    public void empty_lists_complete_the_step_at_once_and_the_process_with_it()
    {
        Given([.. DaysRunning(), Confirmed("days", 0, metadata: Days())]);
        When(Confirm("days", 1, metadata: Days()));
        Expect(Confirmed("days", 1, metadata: Days()), StepCompleted("days", 2), StepStarted("per-day", 0), StepCompleted("per-day", 0), ProcessCompleted([]));
    }

    [Fact]
    public void metadata_that_is_not_a_list_fails_the_step_and_the_process_saying_what_a_list_is()
    {
        Given([.. DaysRunning(), Confirmed("days", 0, metadata: Days("2026-05-01"))]);
        When(Confirm("days", 1, metadata: new Dictionary<string, string> { ["days"] = "2026-05-02" }));
        Expect([Confirmed("days", 1, metadata: new Dictionary<string, string> { ["days"] = "2026-05-02" }), StepCompleted("days", 2),
            .. StepAndProcessFailed("per-day", "metadata 'days' of task p-1/days/1 is not a list of items: it must be a JSON array of strings or numbers (e.g. [\"2026-05-01\",\"2026-05-02\"]), not '2026-05-02'")]);
    }

    [Fact]
    public void a_task_that_reported_no_list_fails_the_step_and_the_process_saying_what_it_reported()
    {
        Given([.. DaysRunning(), Confirmed("days", 0, metadata: Days("2026-05-01"))]);
        When(Confirm("days", 1, metadata: new Dictionary<string, string> { ["rows"] = "0" }));
        Expect([Confirmed("days", 1, metadata: new Dictionary<string, string> { ["rows"] = "0" }), StepCompleted("days", 2),
            .. StepAndProcessFailed("per-day", "it needs metadata 'days' from every task of 'days', but task p-1/days/1 reported none (it reported: rows)")]);
    }
}
