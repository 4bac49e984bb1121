using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Keeps a view of running attempts and their deadlines, rebuilt from the event store at start and kept up
/// by following it, and sends <see cref="TryTimeoutTask"/> when a deadline passes. It never decides: the
/// aggregate checks its own state, so a timeout for an attempt confirmed in the meantime changes nothing.
/// </summary>
public sealed class TimeoutManager(IEventStore store, ProcessRuntime runtime, TimeProvider clock, TimeSpan? idleWait = null)
{
    private readonly Dictionary<TaskId, (ProcessId Process, int Attempt, DateTimeOffset Deadline)> _running = [];
    private readonly Dictionary<ProcessId, HashSet<TaskId>> _byProcess = [];
    private readonly PriorityQueue<(TaskId Task, int Attempt), DateTimeOffset> _deadlines = new();
    private readonly TimeSpan _idle = idleWait ?? TimeSpan.FromSeconds(1);

    /// <summary>Attempts currently running, as the view sees them.</summary>
    public int Running => _running.Count;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        long position = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var events = await store.ReadAllAsync(position, 5_000, cancellationToken);
            foreach (var stored in events) Observe(stored.Event);
            if (events.Count > 0) position = events[^1].Position;
            await SendDueAsync();
            if (events.Count == 0)
                await store.WaitForEventsAsync(position, NextWait(), cancellationToken);
        }
    }

    private void Observe(IProcessEvent e)
    {
        switch (e)
        {
            case TaskScheduled s:
                _running[s.TaskId] = (s.ProcessId, s.Attempt, s.Deadline);
                if (!_byProcess.TryGetValue(s.ProcessId, out var tasks)) _byProcess[s.ProcessId] = tasks = [];
                tasks.Add(s.TaskId);
                _deadlines.Enqueue((s.TaskId, s.Attempt), s.Deadline);
                break;
            case TaskStartRecorded start:
                MoveDeadline(start.TaskId, start.Attempt, start.Deadline);
                break;
            case TaskHeartbeatRecorded beat:
                MoveDeadline(beat.TaskId, beat.Attempt, beat.Deadline);
                break;
            case TaskConfirmed c:
                _running.Remove(c.TaskId);
                if (_byProcess.TryGetValue(c.ProcessId, out var open)) open.Remove(c.TaskId);
                break;
            case ProcessCompleted or ProcessFailed or ProcessCancelled when _byProcess.Remove(e.ProcessId, out var left):
                // Nothing of an ended process is timed out: after a restart, the replay of a long history would
                // otherwise send a timeout for every attempt a failed or cancelled process left open.
                foreach (var task in left) _running.Remove(task);
                break;
        }
    }

    /// <summary>A start or a beat of the running attempt moves its deadline; the earlier one is skipped when it comes due.</summary>
    private void MoveDeadline(TaskId task, int attempt, DateTimeOffset deadline)
    {
        if (!_running.TryGetValue(task, out var running) || running.Attempt != attempt) return;
        _running[task] = running with { Deadline = deadline };
        _deadlines.Enqueue((task, attempt), deadline);
    }

    private async Task SendDueAsync()
    {
        var now = clock.GetUtcNow();
        var due = new List<(TaskId Task, ProcessId Process, int Attempt, DateTimeOffset Deadline)>();
        while (_deadlines.TryPeek(out var entry, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (_running.TryGetValue(entry.Task, out var running) && running.Attempt == entry.Attempt && running.Deadline == deadline)
                due.Add((entry.Task, running.Process, entry.Attempt, deadline));
        }
        foreach (var (task, process, attempt, _) in due)
        {
            _running.Remove(task);
            using var span = EngineTelemetry.StartTaskSpan("time out task", process, task, attempt);
            try
            {
                await runtime.SendAsync(new TryTimeoutTask(process, task, attempt));
                runtime.Counters.TimeoutSent();
            }
            catch (DomainError)
            {
                // The process or task is unknown to the aggregate (e.g. a stream from another engine version): nothing to time out.
            }
            catch (Exception)
            {
                // The store is unreachable: keep the attempt in view and try again on a later pass.
                _deadlines.Enqueue((task, attempt), now + _idle);
                _running[task] = (process, attempt, now + _idle);
            }
        }
    }

    private TimeSpan NextWait()
    {
        if (!_deadlines.TryPeek(out _, out var deadline)) return _idle;
        var untilDue = deadline - clock.GetUtcNow();
        return untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < _idle ? untilDue : _idle;
    }
}
