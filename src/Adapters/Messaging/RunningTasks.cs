using System.Collections.Concurrent;
using Orchestration.Contracts;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The tasks a worker is running (announced in its status), each stoppable: a stop for a cancelled process stops its
/// running tasks and marks the process, so that its tasks taken from the queues later are skipped.
/// </summary>
public sealed class RunningTasks
{
    private static readonly TimeSpan RememberStops = TimeSpan.FromHours(1);
    // A task delivered twice may run twice at once: one entry per run.
    private readonly ConcurrentDictionary<Run, ProcessId> _runs = new();
    private readonly ConcurrentDictionary<ProcessId, DateTimeOffset> _stopped = new();

    /// <summary>Registers a task as running; its <see cref="Run.Stopped"/> token fires if its process is stopped.</summary>
    public Run Start(TaskId task, ProcessId process)
    {
        var run = new Run(this, task);
        _runs[run] = process;
        if (IsStopped(process)) run.Stop();
        return run;
    }

    public IReadOnlyList<TaskId> Snapshot() => _runs.Keys.Select(r => r.Task).Distinct().OrderBy(t => t.Value, StringComparer.Ordinal).ToList();

    /// <summary>Whether <paramref name="process"/> was stopped (within the last hour): its tasks are not to be run.</summary>
    public bool IsStopped(ProcessId process) => _stopped.TryGetValue(process, out var at) && DateTimeOffset.UtcNow - at < RememberStops;

    /// <summary>Stops every running task of <paramref name="process"/> and remembers it, forgetting stops older than an hour.</summary>
    public void Stop(ProcessId process)
    {
        _stopped[process] = DateTimeOffset.UtcNow;
        foreach (var (old, at) in _stopped)
            if (DateTimeOffset.UtcNow - at >= RememberStops) _stopped.TryRemove(old, out _);
        foreach (var (run, of) in _runs)
            if (of == process) run.Stop();
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
