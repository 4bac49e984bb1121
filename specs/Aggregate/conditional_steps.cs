using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// "report" runs only if the "refunds" tasks found rows (their metadata 'rows' summed above 0); "notify" reads the
/// report. The rule for a skipped step's dependants: they are skipped too, once every step they wait for is done.
/// </summary>
public sealed class conditional_steps : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => ProcessGraph.Define("refund-report", 1)
        .Map("refunds", DataSource.Dataset("sales"), StepWork.Sql("SELECT * FROM input WHERE amount < 0"))
        .Reduce("report", DataSource.Step("refunds"), StepWork.Sql("SELECT count(*) FROM partials"), s => s.As("partials").OnlyIf(Metadata.Count("refunds", "rows") > 0))
        .Reduce("notify", DataSource.Step("report"), StepWork.Sql("SELECT * FROM input"))
        .Build();

    private static Dictionary<string, string> Rows(long rows) => new() { ["rows"] = $"{rows}" };

    private IProcessEvent[] RefundsRunning() =>
    [
        Started(), StepStarted("refunds", 2),
        Scheduled("refunds", 0, Inputs("input", Data["sales"][0])), Scheduled("refunds", 1, Inputs("input", Data["sales"][1])),
    ];

    [Fact]
    public void when_the_condition_holds_the_step_runs()
    {
        Given([.. RefundsRunning(), Confirmed("refunds", 0, metadata: Rows(0))]);
        When(Confirm("refunds", 1, metadata: Rows(3)));
        Expect(Confirmed("refunds", 1, metadata: Rows(3)), StepCompleted("refunds", 2), StepStarted("report", 1),
            Scheduled("report", 0, Inputs("partials", Output("refunds", 0), Output("refunds", 1))));
    }

    [Fact]
    public void when_it_does_not_hold_the_step_and_its_dependants_are_skipped_saying_why_and_the_process_completes()
    {
        Given([.. RefundsRunning(), Confirmed("refunds", 0, metadata: Rows(0))]);
        When(Confirm("refunds", 1, metadata: Rows(0)));
        Expect(Confirmed("refunds", 1, metadata: Rows(0)), StepCompleted("refunds", 2),
            StepSkipped("report", "it runs only if metadata 'rows' of 'refunds' > 0, and metadata 'rows' of 'refunds' is 0"),
            StepSkipped("notify", "it depends on 'report', which was skipped"),
            ProcessCompleted([]));
    }

    [Fact]
    public void a_condition_over_metadata_a_task_did_not_report_fails_the_step_and_the_process()
    {
        Given([.. RefundsRunning(), Confirmed("refunds", 0, metadata: Rows(1))]);
        When(Confirm("refunds", 1));
        Expect([Confirmed("refunds", 1), StepCompleted("refunds", 2),
            .. StepAndProcessFailed("report", "it needs metadata 'rows' from every task of 'refunds', but task p-1/refunds/1 reported none (it reported: nothing)")]);
    }

    [Fact]
    public void a_step_waiting_on_a_skipped_step_and_a_running_one_is_skipped_once_the_running_one_completes()
    {
        Using(ProcessGraph.Define("two-ways", 1)
            .Map("refunds", DataSource.Dataset("sales"), StepWork.Sql("SELECT * FROM input WHERE amount < 0"))
            .Reduce("report", DataSource.Step("refunds"), StepWork.Sql("SELECT 1"), s => s.OnlyIf(Metadata.Count("refunds", "rows") > 0))
            .Reduce("totals", DataSource.Dataset("stores"), StepWork.Sql("SELECT 1"))
            .Reduce("summary", DataSource.Step("totals"), StepWork.Sql("SELECT 1"), s => s.After("report"))
            .Build());
        Given([.. Begun(), Confirmed("refunds", 0, metadata: Rows(0)), Confirmed("refunds", 1, metadata: Rows(0)), StepCompleted("refunds", 2),
            StepSkipped("report", "it runs only if metadata 'rows' of 'refunds' > 0, and metadata 'rows' of 'refunds' is 0")]);
        When(Confirm("totals", 0));
        Expect(Confirmed("totals", 0), StepCompleted("totals", 1), StepSkipped("summary", "it depends on 'report', which was skipped"), ProcessCompleted([]));
    }
}
