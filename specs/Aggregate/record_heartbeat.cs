using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// The sales map's attempts may run 1 minute from their start, a hard cap; their worker must beat at least every 30 s
/// (the heartbeat timeout), so a frozen or dead worker is noticed 30 s after its start or its last beat. A beat never
/// moves the deadline past the cap.
/// </summary>
public sealed class record_heartbeat : SalesSpec
{
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(30);

    private RecordHeartbeat Beat(string step, int partition, int attempt = 1) => new(Process, Task(step, partition), attempt, Worker);

    private TaskHeartbeatRecorded Alive(string step, int partition, DateTimeOffset at, int attempt = 1, DateTimeOffset? deadline = null) =>
        new(Process, Task(step, partition), attempt, Worker, deadline ?? at + HeartbeatTimeout, at);

    [Fact]
    public void a_heartbeat_moves_the_deadline_to_one_heartbeat_timeout_after_it()
    {
        Given(SalesRunning());
        Clock.Advance(TimeSpan.FromSeconds(50));
        When(Beat("partials", 0));
        Expect(Alive("partials", 0, Now));
    }

    [Fact]
    public void a_started_attempt_is_due_one_heartbeat_timeout_after_its_start_until_it_beats()
    {
        Given(SalesRunning());
        When(StartTask("partials", 0));
        Expect(new TaskStartRecorded(Process, Task("partials", 0), 1, Worker, Now + HeartbeatTimeout, Now));
    }

    [Fact]
    public void a_heartbeat_never_moves_the_deadline_past_the_task_timeout()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0), Alive("partials", 0, Epoch.AddSeconds(20))]);
        Clock.Advance(TimeSpan.FromSeconds(45)); // one heartbeat timeout on would be 75 s, past the 60 s task timeout
        When(Beat("partials", 0));
        Expect(Alive("partials", 0, Now, deadline: Epoch.AddSeconds(60)));
    }

    [Fact]
    public void a_task_that_keeps_beating_is_still_late_at_its_task_timeout()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0), Alive("partials", 0, Epoch.AddSeconds(20)), Alive("partials", 0, Epoch.AddSeconds(45), deadline: Epoch.AddSeconds(60))]);
        Clock.Advance(TimeSpan.FromSeconds(60));
        When(TryTimeout("partials", 0));
        Expect(
            TimedOut("partials", 0, 1, deadline: Epoch.AddSeconds(60), at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "timed out after 60 s on worker-1", Now),
            Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void a_task_whose_heartbeats_stop_times_out_one_heartbeat_timeout_after_the_last_saying_its_worker_went_silent()
    {
        Given([.. SalesRunning(), StartRecorded("partials", 0), Alive("partials", 0, Epoch.AddSeconds(20))]);
        Clock.Advance(TimeSpan.FromSeconds(50));
        When(TryTimeout("partials", 0));
        Expect(
            TimedOut("partials", 0, 1, deadline: Epoch.AddSeconds(50), at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(2), "its worker worker-1 sent no heartbeat for 30 s (is it frozen or gone?)", Now),
            Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void a_heartbeat_soon_after_the_last_recorded_one_is_not_worth_an_event()
    {
        Given([.. SalesRunning(), Alive("partials", 0, Epoch.AddSeconds(50))]);
        Clock.Advance(TimeSpan.FromSeconds(60)); // moves the deadline by 10 s, less than half the 30 s timeout
        When(Beat("partials", 0));
        ExpectDropped(DropKind.HeartbeatNotNeeded);
    }

    [Fact]
    public void a_heartbeat_of_a_confirmed_task_is_dropped_as_stale()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        Clock.Advance(TimeSpan.FromSeconds(50));
        When(Beat("partials", 0));
        ExpectDropped(DropKind.StaleHeartbeat);
    }

    [Fact]
    public void a_heartbeat_of_an_older_attempt_is_dropped_as_stale()
    {
        Given([.. SalesRunning(), .. Retries("partials", 0, SalesInputs(0), 2)]);
        Clock.Advance(TimeSpan.FromSeconds(70));
        When(Beat("partials", 0, attempt: 1));
        ExpectDropped(DropKind.StaleHeartbeat);
    }

    [Fact]
    public void a_heartbeat_after_the_process_was_cancelled_is_dropped_as_stale()
    {
        Given([.. SalesRunning(), new ProcessCancelled(Process, "stopped by the operator", Epoch)]);
        Clock.Advance(TimeSpan.FromSeconds(50));
        When(Beat("partials", 1));
        ExpectDropped(DropKind.StaleHeartbeat);
    }

    [Fact]
    public void a_heartbeat_of_an_unknown_task_is_refused()
    {
        Given(SalesRunning());
        When(new RecordHeartbeat(Process, TaskId.For(Process, "partials", 9), 1, Worker));
        Expect("unknown-task");
    }
}
