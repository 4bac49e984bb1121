using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// "partials" over 5 sales blobs may run 2 tasks at once: the aggregate schedules 2, and one more each time one is
/// confirmed, so no more than 2 are ever out with workers.
/// </summary>
public sealed class concurrency_limit : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => ProcessGraph.Define("limited", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT sum(amount) FROM input"), s => s.MaxConcurrency(2))
        .Build();

    protected override IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> DefaultData() => SalesData(partitions: 5);

    private TaskScheduled First(int partition) => Scheduled("partials", partition, Inputs("input", Data["sales"][partition]));

    [Fact]
    public void starting_schedules_only_as_many_tasks_as_the_limit()
    {
        When(Start());
        Expect(Started(), StepStarted("partials", 5), First(0), First(1));
    }

    [Fact]
    public void each_confirmation_schedules_the_next_task_in_partition_order()
    {
        Given([Started(), StepStarted("partials", 5), First(0), First(1)]);
        When(Confirm("partials", 1));
        Expect(Confirmed("partials", 1), First(2));
    }

    [Fact]
    public void a_retry_keeps_its_place_and_schedules_nothing_more()
    {
        Given([Started(), StepStarted("partials", 5), First(0), First(1)]);
        When(Fail("partials", 0, "connection reset", retryable: true));
        Expect(AttemptFailed("partials", 0, "connection reset", retryable: true),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(1), "connection reset", Epoch),
            Rescheduled("partials", 0, 2, Inputs("input", Data["sales"][0]), Epoch, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void the_last_tasks_complete_the_step_and_the_process()
    {
        Given([Started(), StepStarted("partials", 5), First(0), First(1), Confirmed("partials", 0), First(2), Confirmed("partials", 1), First(3),
            Confirmed("partials", 2), First(4), Confirmed("partials", 3)]);
        When(Confirm("partials", 4));
        Expect(Confirmed("partials", 4), StepCompleted("partials", 5),
            ProcessCompleted(Enumerable.Range(0, 5).Select(p => Output("partials", p)).ToArray()));
    }
}
