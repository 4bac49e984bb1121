using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>The sales map allows 3 attempts of 1 minute each, with 2 s of backoff doubling up to 30 s.</summary>
public sealed class fail_task : SalesSpec
{
    [Fact]
    public void a_retryable_failure_schedules_attempt_2_after_the_base_delay_with_a_fresh_deadline()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromSeconds(10));
        When(Fail("partials", 0, "connection reset", retryable: true));
        Expect(
            AttemptFailed("partials", 0, "connection reset", retryable: true, at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "connection reset", Now),
            new TaskScheduled(Process, Task("partials", 0), 2, "partials", 0, SalesInputs(0), null, Now.AddSeconds(2), Now.AddSeconds(2).AddHours(1), TaskRoute.Shared));
    }

    [Fact]
    public void the_backoff_doubles_with_each_attempt()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromMinutes(2));
        When(Fail("partials", 0, "connection reset", retryable: true, attempt: 2));
        Expect(
            AttemptFailed("partials", 0, "connection reset", retryable: true, attempt: 2, at: Now),
            RetryScheduled("partials", 0, 3, TimeSpan.FromSeconds(4), "connection reset", Now),
            Rescheduled("partials", 0, 3, SalesInputs(0), Now, TimeSpan.FromSeconds(4)));
    }

    [Fact]
    public void the_backoff_stops_growing_at_the_max_delay()
    {
        Using(SalesGraph(maxAttempts: 10));
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2, 4, 8, 16)]);
        Clock.Advance(TimeSpan.FromMinutes(5));
        When(Fail("partials", 0, "connection reset", retryable: true, attempt: 5));
        Expect(
            AttemptFailed("partials", 0, "connection reset", retryable: true, attempt: 5, at: Now),
            RetryScheduled("partials", 0, 6, TimeSpan.FromSeconds(30), "connection reset", Now),
            Rescheduled("partials", 0, 6, SalesInputs(0), Now, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void a_failure_that_cannot_be_retried_fails_the_step_and_the_process_at_once_with_the_workers_error()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromSeconds(5));
        When(Fail("partials", 1, "Parser Error: syntax error at or near \"SELEC\"", retryable: false));
        Expect([AttemptFailed("partials", 1, "Parser Error: syntax error at or near \"SELEC\"", retryable: false, at: Now),
            .. StepAndProcessFailed("partials", "task p-1/partials/1 failed and cannot be retried: Parser Error: syntax error at or near \"SELEC\"", Now)]);
    }

    [Fact]
    public void a_retryable_failure_of_the_last_allowed_attempt_fails_the_step_and_the_process()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2, 4)]);
        Clock.Advance(TimeSpan.FromMinutes(3));
        When(Fail("partials", 0, "connection reset", retryable: true, attempt: 3));
        Expect([AttemptFailed("partials", 0, "connection reset", retryable: true, attempt: 3, at: Now),
            .. StepAndProcessFailed("partials", "task p-1/partials/0 failed: connection reset (attempt 3 of 3, no retries left)", Now)]);
    }

    [Fact]
    public void a_step_that_allows_one_attempt_fails_at_its_first_retryable_failure()
    {
        Using(SalesGraph(maxAttempts: 1));
        Given(SalesRunning());
        When(Fail("partials", 0, "out of memory", retryable: true));
        Expect([AttemptFailed("partials", 0, "out of memory", retryable: true),
            .. StepAndProcessFailed("partials", "task p-1/partials/0 failed: out of memory (attempt 1 of 1, no retries left)")]);
    }

    [Fact]
    public void a_failure_reported_after_the_task_was_confirmed_is_dropped_and_the_confirmation_stands()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(Fail("partials", 0, "connection reset", retryable: true));
        ExpectDropped(DropKind.DuplicateConfirmation);
    }

    [Fact]
    public void a_failure_of_an_older_attempt_is_dropped_as_late()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        When(Fail("partials", 0, "connection reset", retryable: true, attempt: 1));
        ExpectDropped(DropKind.LateAttempt);
    }

    [Fact]
    public void a_failure_of_an_attempt_that_was_never_scheduled_is_refused()
    {
        Given(SalesRunning());
        When(Fail("partials", 0, "connection reset", retryable: true, attempt: 2));
        Expect("unknown-attempt");
    }

    [Fact]
    public void once_one_task_failed_the_process_failures_of_the_others_are_dropped()
    {
        Given([.. SalesRunning(), AttemptFailed("partials", 0, "syntax error", retryable: false),
            .. StepAndProcessFailed("partials", "task p-1/partials/0 failed and cannot be retried: syntax error")]);
        When(Fail("partials", 1, "syntax error", retryable: false));
        ExpectDropped(DropKind.ProcessEnded);
    }

    [Fact]
    public void an_attempt_its_worker_stopped_at_its_task_timeout_is_recorded_as_timed_out_and_retried()
    {
        Given(SalesRunning());
        When(new FailTask(Process, Task("partials", 0), 1, Worker, "timed out after 60 s on worker-1: the worker stopped the step at its task timeout", Retryable: true, TimedOut: true));
        Expect(
            new TaskAttemptFailed(Process, Task("partials", 0), 1, Worker, "timed out after 60 s on worker-1: the worker stopped the step at its task timeout", true, Now, TimedOut: true),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "timed out after 60 s on worker-1: the worker stopped the step at its task timeout", Now),
            Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.FromSeconds(2)));
    }
}
