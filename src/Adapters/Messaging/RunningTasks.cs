using System.Collections.Concurrent;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The tasks a worker is running (announced in its status), each stoppable. A stop for a cancelled process (or for one
/// attempt, a copy that lost) stops the running tasks it covers; every stop is remembered for an hour, so that the
/// attempts it covers taken from the queues later are skipped (those scheduled after it, by a retry or a resume, run).
/// </summary>
public sealed class RunningTasks
{
    private static readonly TimeSpan RememberStops = TimeSpan.FromHours(1);
    // A task delivered twice may run twice at once: one entry per run.
    private readonly ConcurrentDictionary<Run, RunTask> _runs = new();
    // Keyed by the process, or by the task and attempt for a stop of one attempt: the latest stop of each wins.
    private readonly ConcurrentDictionary<string, (StopProcessTasks Stop, DateTimeOffset At)> _stopped = new(StringComparer.Ordinal);

    /// <summary>Registers a task as running; its <see cref="Run.Stopped"/> token fires if its process is stopped.</summary>
    public Run Start(RunTask task)
    {
        var run = new Run(this, task.TaskId);
        _runs[run] = task;
        if (StopOf(task) is { KeepRunning: false }) run.Stop();
        return run;
    }

    public IReadOnlyList<TaskId> Snapshot() => _runs.Keys.Select(r => r.Task).Distinct().OrderBy(t => t.Value, StringComparer.Ordinal).ToList();

    /// <summary>Whether a stop (within the last hour) covers this attempt: it is not to be run.</summary>
    public bool IsStopped(RunTask task) => StopOf(task) is not null;

    private StopProcessTasks? StopOf(RunTask task) => Live(task.ProcessId.Value, task) ?? Live(KeyOf(task.TaskId, task.Attempt), task);

    private StopProcessTasks? Live(string key, RunTask task) =>
        _stopped.TryGetValue(key, out var entry) && DateTimeOffset.UtcNow - entry.At < RememberStops && entry.Stop.Covers(task) ? entry.Stop : null;

    private static string KeyOf(TaskId task, int attempt) => $"{task.Value}#{attempt}";

    /// <summary>Remembers the stop (the latest for a process wins) and, unless it is a pause, stops the running tasks it covers.</summary>
    public void Stop(StopProcessTasks stop)
    {
        _stopped[stop.Task is { } one ? KeyOf(one, stop.Attempt) : stop.ProcessId.Value] = (stop, DateTimeOffset.UtcNow);
        foreach (var (old, entry) in _stopped)
            if (DateTimeOffset.UtcNow - entry.At >= RememberStops) _stopped.TryRemove(old, out _);
        if (stop.KeepRunning) return;
        foreach (var (run, task) in _runs)
            if (stop.Covers(task)) run.Stop();
    }

    /// <summary>One running attempt: disposed when it ends.</summary>
    public sealed class Run(RunningTasks owner, TaskId task) : IDisposable
    {
        public TaskId Task => task;

        private readonly CancellationTokenSource _stop = new();
        private int _done;

        /// <summary>Fires when the task's process is stopped.</summary>
        public CancellationToken Stopped => _stop.Token;

        internal void Stop()
        {
            try { _stop.Cancel(); }
            catch (ObjectDisposedException) { } // ended meanwhile
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            owner._runs.TryRemove(this, out _);
            _stop.Dispose();
        }
    }
}
