using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A worker reports when it takes an attempt from its queue: the attempt's 1 minute task timeout runs from then.
/// Before, the attempt only waits its turn (up to the queue timeout), however deep the queue.
/// </summary>
public sealed class record_task_start : SalesSpec
{
    [Fact]
    public void a_start_makes_the_attempt_due_one_task_timeout_later()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromMinutes(20)); // twenty minutes in the queue
        When(StartTask("partials", 0));
        Expect(StartRecorded("partials", 0, Now));
    }

    [Fact]
    public void the_same_start_reported_twice_is_dropped_as_a_duplicate()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0, Epoch.AddSeconds(5))]);
        Clock.Advance(TimeSpan.FromSeconds(6));
        When(StartTask("partials", 0));
        ExpectDropped(DropKind.DuplicateStart);
    }

    [Fact]
    public void a_start_on_another_worker_after_the_first_died_gives_the_attempt_its_time_again()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0, Epoch.AddSeconds(5))]);
        Clock.Advance(TimeSpan.FromSeconds(50)); // the broker handed the attempt on when its first worker's connection dropped
        When(StartTask("partials", 0, worker: OtherWorker));
        Expect(StartRecorded("partials", 0, Now, worker: OtherWorker));
    }

    [Fact]
    public void a_start_of_an_attempt_that_was_already_retried_is_dropped_as_stale()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromMinutes(2));
        When(StartTask("partials", 0, attempt: 1));
        ExpectDropped(DropKind.StaleStart);
    }

    [Fact]
    public void a_start_of_a_confirmed_task_is_dropped_as_stale()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(StartTask("partials", 0, worker: OtherWorker));
        ExpectDropped(DropKind.StaleStart);
    }

    [Fact]
    public void a_start_after_the_process_completed_is_dropped_as_stale()
    {
        Given(SalesCompleted());
        When(StartTask("total", 0));
        ExpectDropped(DropKind.StaleStart);
    }

    [Fact]
    public void a_start_of_a_task_the_process_never_scheduled_is_refused()
    {
        Given(SalesRunning());
        When(StartTask("partials", 2));
        Expect("unknown-task");
    }
}
