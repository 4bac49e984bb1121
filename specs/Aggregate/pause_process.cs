using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A paused process gives no attempt to workers: steps still complete and start, retries are decided and held, running
/// attempts finish, and attempts that never started do not time out. On resume the held attempts and the ones that
/// never started are given out. The sales map allows 3 attempts of 1 minute, with 2 s of backoff doubling.
/// </summary>
public sealed class pause_process : SalesSpec
{
    [Fact]
    public void pausing_a_running_process_records_who_paused_it_and_why()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromSeconds(5));
        When(Pause("the warehouse is being reloaded"));
        Expect(Paused("the warehouse is being reloaded", at: Now));
    }

    [Fact]
    public void while_paused_the_last_confirmation_of_a_step_starts_the_next_step_without_giving_out_its_task()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0), Paused()]);
        When(Confirm("partials", 1));
        Expect(Confirmed("partials", 1), StepCompleted("partials", 2), StepStarted("total", 1));
    }

    [Fact]
    public void while_paused_a_retryable_failure_decides_its_retry_and_holds_it()
    {
        Given([.. SalesRunning(), Paused()]);
        When(Fail("partials", 0, "connection reset", retryable: true));
        Expect(
            AttemptFailed("partials", 0, "connection reset", retryable: true, at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "connection reset", Now));
    }

    [Fact]
    public void while_paused_a_second_report_of_the_failed_attempt_is_dropped()
    {
        Given([.. SalesRunning(), Paused(), AttemptFailed("partials", 0, "connection reset", retryable: true),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "connection reset", Epoch)]);
        When(Fail("partials", 0, "connection reset", retryable: true));
        ExpectDropped(DropKind.LateAttempt);
    }

    [Fact]
    public void while_paused_an_attempt_that_never_started_does_not_time_out()
    {
        Given([.. SalesRunning(), Paused()]);
        Clock.Advance(TimeSpan.FromHours(2)); // twice its queue timeout
        When(TryTimeout("partials", 0));
        ExpectDropped(DropKind.StaleTimeout);
    }

    [Fact]
    public void while_paused_a_failure_with_no_retries_left_fails_the_process()
    {
        Given([.. SalesRunning(), Paused()]);
        When(Fail("partials", 1, "syntax error", retryable: false));
        Expect([AttemptFailed("partials", 1, "syntax error", retryable: false, at: Now),
            .. StepAndProcessFailed("partials", "task p-1/partials/1 failed and cannot be retried: syntax error", Now)]);
    }

    [Fact]
    public void resuming_gives_out_the_held_retry_and_a_fresh_attempt_for_the_task_that_never_started()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0), Paused(),
            AttemptFailed("partials", 0, "connection reset", retryable: true),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "connection reset", Epoch)]);
        Clock.Advance(TimeSpan.FromMinutes(3));
        When(Resume("the warehouse is back"));
        Expect(
            Resumed("the warehouse is back", at: Now),
            Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.Zero),
            Rescheduled("partials", 1, 2, SalesInputs(1), Now, TimeSpan.Zero));
    }

    [Fact]
    public void resuming_leaves_an_attempt_that_ran_through_the_pause_alone()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0), StartRecorded("partials", 1), Paused()]);
        When(Resume());
        Expect(Resumed(at: Now));
    }

    [Fact]
    public void resuming_gives_out_the_first_task_of_a_step_that_started_while_paused()
    {
        Given([.. SalesRunning(), Paused(), Confirmed("partials", 0), Confirmed("partials", 1), StepCompleted("partials", 2), StepStarted("total", 1)]);
        Clock.Advance(TimeSpan.FromMinutes(1));
        When(Resume());
        Expect(Resumed(at: Now), Scheduled("total", 0, MergeInputs(), at: Now));
    }

    [Fact]
    public void a_paused_process_can_be_cancelled()
    {
        Given([.. SalesRunning(), Paused()]);
        When(Cancel("not needed after all"));
        Expect(Cancelled("not needed after all", at: Now));
    }

    [Fact]
    public void pausing_a_paused_process_is_refused()
    {
        Given([.. SalesRunning(), Paused("reloading")]);
        When(Pause());
        Expect("process-paused", saying: "Process p-1 is already paused (reloading); resume it to let it go on.");
    }

    [Fact]
    public void pausing_an_ended_process_is_refused()
    {
        Given(SalesCompleted());
        When(Pause());
        Expect("process-ended", saying: "Process p-1 has already ended (Completed); there is nothing to pause.");
    }

    [Fact]
    public void resuming_a_process_that_is_not_paused_is_refused()
    {
        Given(SalesRunning());
        When(Resume());
        Expect("process-not-paused", saying: "Process p-1 is running, not paused; only a paused process can be resumed.");
    }

    [Fact]
    public void resuming_a_failed_process_is_refused_and_points_to_retry()
    {
        Given([.. SalesRunning(), .. StepAndProcessFailed("partials", "gone")]);
        When(Resume());
        Expect("process-not-paused", saying: "Process p-1 is failed, not paused; only a paused process can be resumed (a failed or cancelled one can be retried).");
    }
}
