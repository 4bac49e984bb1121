using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

public sealed class confirm_task : SalesSpec
{
    [Fact]
    public void confirming_one_of_two_map_tasks_records_it_and_waits_for_the_other()
    {
        Given(SalesRunning());
        When(Confirm("partials", 0));
        Expect(Confirmed("partials", 0));
    }

    [Fact]
    public void confirming_the_last_map_task_completes_the_step_and_schedules_the_reduce_as_one_batch()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(Confirm("partials", 1));
        Expect(
            Confirmed("partials", 1),
            StepCompleted("partials", 2),
            StepStarted("total", 1),
            Scheduled("total", 0, MergeInputs()));
    }

    [Fact]
    public void a_second_confirmation_of_a_task_is_dropped_as_a_duplicate()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(Confirm("partials", 0, worker: OtherWorker));
        ExpectDropped(DropKind.DuplicateConfirmation);
    }
}
