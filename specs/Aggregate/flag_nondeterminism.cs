using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>A step that gives two different results for the same work over the same bytes is flagged, once; the process goes on.</summary>
public sealed class flag_nondeterminism : SalesSpec
{
    private static readonly BlobRef Other = Blob("partials-0-a2-other.parquet", rows: 10) with { Sha256 = "ffee00112233445566778899" };

    [Fact]
    public void a_second_result_of_a_confirmed_task_with_other_outputs_flags_its_step()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2), Confirmed("partials", 0, attempt: 2)]);
        When(Confirm("partials", 0, attempt: 1, worker: OtherWorker, outputs: [Other]));
        Expect(new StepNondeterministic(Process, "partials", Task("partials", 0),
            $"gave two results over the same inputs: attempt 1 on worker-2 wrote sha256 ffee00112233, the confirmed attempt 2 on worker-1 sha256 {Output("partials", 0, attempt: 2).Sha256[..12]}", Now));
    }

    [Fact]
    public void a_second_result_with_the_same_outputs_is_a_duplicate()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(Confirm("partials", 0));
        ExpectDropped(DropKind.DuplicateConfirmation);
    }

    [Fact]
    public void a_step_is_flagged_once()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0), new StepNondeterministic(Process, "partials", Task("partials", 0), "gave two results", Epoch)]);
        When(new FlagNondeterminism(Process, Task("partials", 1), "gave another result"));
        ExpectDropped(DropKind.AlreadyFlagged);
    }

    [Fact]
    public void a_result_found_to_differ_after_the_process_completed_is_still_recorded()
    {
        Given(SalesCompleted());
        When(new FlagNondeterminism(Process, Task("partials", 1), "gave another result than task p-0/partials/1 did for the same work over the same bytes"));
        Expect(new StepNondeterministic(Process, "partials", Task("partials", 1), "gave another result than task p-0/partials/1 did for the same work over the same bytes", Now));
    }
}
