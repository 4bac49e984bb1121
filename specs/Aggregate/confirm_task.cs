using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
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
    public void the_reduce_reads_the_partials_in_partition_order_whatever_order_they_were_confirmed_in()
    {
        Given([.. SalesRunning(), Confirmed("partials", 1)]);
        Clock.Advance(TimeSpan.FromSeconds(20));
        When(Confirm("partials", 0));
        Expect(Confirmed("partials", 0, at: Now), StepCompleted("partials", 2, at: Now),
            StepStarted("total", 1, at: Now), Scheduled("total", 0, MergeInputs(), at: Now));
    }

    [Fact]
    public void the_reduce_reads_the_outputs_of_the_attempt_that_was_confirmed()
    {
        Given([.. SalesRunning(), .. Retries("partials", 1, SalesInputs(1), 2), Confirmed("partials", 0)]);
        When(Confirm("partials", 1, attempt: 2));
        Expect(Confirmed("partials", 1, attempt: 2), StepCompleted("partials", 2), StepStarted("total", 1),
            Scheduled("total", 0, Inputs("partials", Output("partials", 0), Output("partials", 1, attempt: 2))));
    }

    [Fact]
    public void confirming_the_last_task_of_the_last_step_completes_the_process_with_its_outputs()
    {
        Given(MergeRunning());
        Clock.Advance(TimeSpan.FromSeconds(30));
        When(Confirm("total", 0));
        Expect(Confirmed("total", 0, at: Now), StepCompleted("total", 1, at: Now), ProcessCompleted([Output("total", 0)], at: Now));
    }

    [Fact]
    public void a_second_confirmation_of_a_task_is_dropped_as_a_duplicate()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(Confirm("partials", 0, worker: OtherWorker));
        ExpectDropped(DropKind.DuplicateConfirmation);
    }

    [Fact]
    public void a_late_confirmation_of_attempt_1_after_attempt_2_was_scheduled_is_dropped_as_late()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        When(Confirm("partials", 0, attempt: 1, worker: OtherWorker));
        ExpectDropped(DropKind.LateAttempt);
    }

    [Fact]
    public void a_late_confirmation_of_attempt_1_after_attempt_2_was_confirmed_is_dropped_as_a_duplicate()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2), Confirmed("partials", 0, attempt: 2)]);
        When(Confirm("partials", 0, attempt: 1, worker: OtherWorker));
        ExpectDropped(DropKind.DuplicateConfirmation);
    }

    [Fact]
    public void a_confirmation_of_an_attempt_that_was_never_scheduled_is_refused()
    {
        Given(SalesRunning());
        When(Confirm("partials", 0, attempt: 2));
        Expect("unknown-attempt", saying: "has no attempt 2; its latest is 1");
    }

    [Fact]
    public void a_confirmation_of_a_task_the_process_never_scheduled_is_refused()
    {
        Given(SalesRunning());
        When(Confirm("total", 0));
        Expect("unknown-task", saying: "Process p-1 has no task p-1/total/0");
    }

    [Fact]
    public void a_confirmation_for_a_process_that_never_started_is_refused()
    {
        When(Confirm("partials", 0));
        Expect("unknown-process", saying: "Process p-1 has not been started");
    }

    [Fact]
    public void a_confirmation_for_another_process_is_refused()
    {
        Given(SalesRunning());
        When(Confirm("partials", 0) with { ProcessId = ProcessId.From("p-2") });
        Expect("wrong-process");
    }

    [Fact]
    public void a_confirmation_after_the_process_completed_is_dropped()
    {
        Given(SalesCompleted());
        When(Confirm("total", 0, worker: OtherWorker));
        ExpectDropped(DropKind.ProcessEnded);
    }

    [Fact]
    public void a_confirmation_after_the_process_failed_is_dropped()
    {
        Given([.. SalesRunning(), AttemptFailed("partials", 0, "syntax error", retryable: false), .. StepAndProcessFailed("partials", "syntax error")]);
        When(Confirm("partials", 1));
        ExpectDropped(DropKind.ProcessEnded);
    }

    // A step fails only together with its process (StepFailed is always followed by ProcessFailed), so the
    // StepEnded drop cannot be reached from a stream the aggregate wrote: a late result of a failed step
    // is dropped because the process has ended.
    [Fact]
    public void a_confirmation_of_a_task_whose_step_failed_is_dropped_because_the_failure_ended_the_process()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2, 4), AttemptFailed("partials", 0, "connection reset", true, attempt: 3),
            .. StepAndProcessFailed("partials", "task p-1/partials/0 failed: connection reset (attempt 3 of 3, no retries left)")]);
        When(Confirm("partials", 1));
        ExpectDropped(DropKind.ProcessEnded);
    }
}
