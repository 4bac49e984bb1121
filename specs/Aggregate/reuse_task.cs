using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A task whose cache key has a recorded result (the same work over the same bytes, in this process or another) is
/// confirmed with that result, naming the task it came from; no worker runs it.
/// </summary>
public sealed class reuse_task : SalesSpec
{
    private const string Key = "5f2b0c9e8a7d6b5c4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b";
    private static readonly TaskId Source = TaskId.From("p-0/partials/0");
    // The earlier process's output: named after its task, with the bytes this task's own run would write.
    private static readonly BlobRef Earlier = Blob("p-0-partials-0-a1.parquet", rows: 10) with { Sha256 = Output("partials", 0).Sha256 };

    private static ReuseTask Reuse(string step, int partition, int attempt = 1) =>
        new(Process, Task(step, partition), attempt, Source, OtherWorker, [Earlier], NoMetadata, Metrics, Key);

    private static TaskConfirmed Reused(string step, int partition, DateTimeOffset at) =>
        new(Process, Task(step, partition), 1, OtherWorker, [Earlier], NoMetadata, Metrics, at, ReusedFrom: Source, CacheKey: Key);

    [Fact]
    public void a_reused_task_is_confirmed_with_the_recorded_result_and_names_where_it_came_from()
    {
        Given(SalesRunning());
        When(Reuse("partials", 0));
        Expect(Reused("partials", 0, Now));
    }

    [Fact]
    public void the_last_task_of_a_step_reused_completes_the_step_and_starts_the_next_over_the_reused_output()
    {
        Given([.. SalesRunning(), Confirmed("partials", 1)]);
        When(Reuse("partials", 0));
        Expect(Reused("partials", 0, Now), StepCompleted("partials", 2), StepStarted("total", 1),
            Scheduled("total", 0, [new("partials", Earlier), new("partials", Output("partials", 1))]));
    }

    [Fact]
    public void a_reuse_for_a_task_already_confirmed_is_dropped()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(Reuse("partials", 0));
        ExpectDropped(DropKind.DuplicateConfirmation);
    }

    [Fact]
    public void a_reuse_after_the_process_ended_is_dropped()
    {
        Given([.. SalesRunning(), Cancelled()]);
        When(Reuse("partials", 0));
        ExpectDropped(DropKind.ProcessEnded);
    }
}
