using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>The sales map allows 3 attempts of 1 minute each, with 2 s of backoff doubling up to 30 s.</summary>
public sealed class try_timeout_task : SalesSpec
{
    [Fact]
    public void a_timeout_past_the_deadline_times_the_attempt_out_and_retries_it_after_the_backoff()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromSeconds(90));
        When(TryTimeout("partials", 0));
        Expect(
            TimedOut("partials", 0, 1, deadline: Epoch.AddMinutes(1), at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "timed out after 60 s", Now),
            new TaskScheduled(Process, Task("partials", 0), 2, "partials", 0, SalesInputs(0), null, Now.AddSeconds(2), Now.AddSeconds(62)));
    }

    [Fact]
    public void a_timeout_exactly_at_the_deadline_times_the_attempt_out()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromMinutes(1));
        When(TryTimeout("partials", 1));
        Expect(
            TimedOut("partials", 1, 1, deadline: Now, at: Now),
            RetryScheduled("partials", 1, 2, TimeSpan.FromSeconds(2), "timed out after 60 s", Now),
            Rescheduled("partials", 1, 2, SalesInputs(1), Now, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void a_timeout_before_the_deadline_is_dropped_as_not_yet_due()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromSeconds(59));
        When(TryTimeout("partials", 0));
        ExpectDropped(DropKind.NotYetDue);
    }

    [Fact]
    public void a_retried_attempt_is_due_one_timeout_after_its_backoff_ends_not_after_it_was_scheduled()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromSeconds(121)); // attempt 2 was scheduled at 60 s, runs from 62 s, is due at 122 s
        When(TryTimeout("partials", 0, attempt: 2));
        ExpectDropped(DropKind.NotYetDue);
    }

    [Fact]
    public void a_timeout_of_a_confirmed_task_changes_nothing()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        Clock.Advance(TimeSpan.FromMinutes(10));
        When(TryTimeout("partials", 0));
        ExpectDropped(DropKind.StaleTimeout);
    }

    [Fact]
    public void a_timeout_of_an_attempt_that_was_already_retried_is_dropped_as_stale()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromMinutes(10));
        When(TryTimeout("partials", 0, attempt: 1));
        ExpectDropped(DropKind.StaleTimeout);
    }

    [Fact]
    public void a_timeout_of_the_last_allowed_attempt_fails_the_step_and_the_process_with_the_reason()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2, 4)]);
        Clock.Advance(TimeSpan.FromMinutes(4)); // attempt 3 was scheduled at 2 min, ran from 2 min 4 s, was due at 3 min 4 s
        When(TryTimeout("partials", 0, attempt: 3));
        Expect([TimedOut("partials", 0, 3, deadline: Epoch.AddSeconds(184), at: Now),
            .. StepAndProcessFailed("partials", "task p-1/partials/0 timed out after 60 s (attempt 3 of 3, no retries left)", Now)]);
    }

    [Fact]
    public void a_timeout_after_the_process_completed_is_dropped()
    {
        Given(SalesCompleted());
        Clock.Advance(TimeSpan.FromHours(1));
        When(TryTimeout("total", 0));
        ExpectDropped(DropKind.StaleTimeout);
    }

    [Fact]
    public void a_timeout_of_a_task_the_process_never_scheduled_is_refused()
    {
        Given(SalesRunning());
        When(TryTimeout("partials", 2));
        Expect("unknown-task");
    }
}
