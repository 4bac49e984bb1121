using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// The sales map allows 3 attempts of 1 minute each once a worker started them, with 2 s of backoff doubling up to
/// 30 s; an attempt may wait the default hour in its queue before a worker starts it. Its heartbeat timeout here is
/// 2 minutes, so a started attempt is late at its task timeout (record_heartbeat covers a worker that goes silent).
/// </summary>
public sealed class try_timeout_task : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => SalesGraph(heartbeat: TimeSpan.FromMinutes(2));

    [Fact]
    public void a_started_attempt_past_its_task_timeout_times_out_and_is_retried_after_the_backoff()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0)]);
        Clock.Advance(TimeSpan.FromSeconds(90));
        When(TryTimeout("partials", 0));
        Expect(
            TimedOut("partials", 0, 1, deadline: Epoch.AddMinutes(1), at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "timed out after 60 s on worker-1", Now),
            new TaskScheduled(Process, Task("partials", 0), 2, "partials", 0, SalesInputs(0), null, Now.AddSeconds(2), Now.AddSeconds(2).AddHours(1), TaskRoute.Shared));
    }

    [Fact]
    public void a_timeout_exactly_at_the_deadline_times_the_attempt_out()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 1)]);
        Clock.Advance(TimeSpan.FromMinutes(1));
        When(TryTimeout("partials", 1));
        Expect(
            TimedOut("partials", 1, 1, deadline: Now, at: Now),
            RetryScheduled("partials", 1, 2, TimeSpan.FromSeconds(2), "timed out after 60 s on worker-1", Now),
            Rescheduled("partials", 1, 2, SalesInputs(1), Now, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void a_timeout_before_the_deadline_is_dropped_as_not_yet_due()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0)]);
        Clock.Advance(TimeSpan.FromSeconds(59));
        When(TryTimeout("partials", 0));
        ExpectDropped(DropKind.NotYetDue);
    }

    [Fact]
    public void an_attempt_waiting_its_turn_in_the_queue_is_not_late_after_its_task_timeout()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromMinutes(30)); // thirty task timeouts, but no worker has started it yet
        When(TryTimeout("partials", 0));
        ExpectDropped(DropKind.NotYetDue);
    }

    [Fact]
    public void an_attempt_no_worker_started_within_the_queue_timeout_is_retried_with_a_reason_that_says_so()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromHours(1));
        When(TryTimeout("partials", 0));
        Expect(
            TimedOut("partials", 0, 1, deadline: Now, at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2),
                "waited 60 min in its queue and no worker started it (are workers for it running? the step's QueueTimeout allows longer)", Now),
            Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void a_retried_attempt_waits_in_its_queue_again_until_a_worker_starts_it()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromMinutes(30)); // attempt 1 had started; attempt 2, scheduled at 60 s, has not
        When(TryTimeout("partials", 0, attempt: 2));
        ExpectDropped(DropKind.NotYetDue);
    }

    [Fact]
    public void the_queue_timeout_of_a_retried_attempt_counts_from_the_end_of_its_backoff()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromSeconds(61) + TimeSpan.FromHours(1)); // attempt 2 was scheduled at 60 s, sent at 62 s, due at 1 h 62 s
        When(TryTimeout("partials", 0, attempt: 2));
        ExpectDropped(DropKind.NotYetDue);
    }

    [Fact]
    public void a_timeout_of_a_confirmed_task_changes_nothing()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        Clock.Advance(TimeSpan.FromHours(2));
        When(TryTimeout("partials", 0));
        ExpectDropped(DropKind.StaleTimeout);
    }

    [Fact]
    public void a_timeout_of_an_attempt_that_was_already_retried_is_dropped_as_stale()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromHours(2));
        When(TryTimeout("partials", 0, attempt: 1));
        ExpectDropped(DropKind.StaleTimeout);
    }

    [Fact]
    public void a_timeout_of_the_last_allowed_attempt_fails_the_step_and_the_process_with_the_reason()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2, 4), StartRecorded("partials", 0, Epoch.AddSeconds(124), attempt: 3)]);
        Clock.Advance(TimeSpan.FromMinutes(4)); // attempt 3 was scheduled at 2 min, started at 2 min 4 s, was due at 3 min 4 s
        When(TryTimeout("partials", 0, attempt: 3));
        Expect([TimedOut("partials", 0, 3, deadline: Epoch.AddSeconds(184), at: Now),
            .. StepAndProcessFailed("partials", "task p-1/partials/0 timed out after 60 s on worker-1 (attempt 3 of 3, no retries left)", Now)]);
    }

    [Fact]
    public void a_timeout_after_the_process_completed_is_dropped()
    {
        Given(SalesCompleted());
        Clock.Advance(TimeSpan.FromHours(2));
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
