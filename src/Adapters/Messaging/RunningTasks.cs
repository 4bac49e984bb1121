using System.Collections.Concurrent;
using Orchestration.Contracts;

namespace Orchestration.Adapters.Messaging;

/// <summary>The tasks a worker runs right now, as its status beats report them.</summary>
public sealed class RunningTasks
{
    private readonly ConcurrentDictionary<TaskId, int> _running = new();

    public IDisposable Start(TaskId task)
    {
        _running.AddOrUpdate(task, 1, (_, count) => count + 1); // a task delivered twice may run twice at once
        return new Finish(this, task);
    }

    public IReadOnlyList<TaskId> Snapshot() => _running.Keys.OrderBy(t => t.Value, StringComparer.Ordinal).ToList();

    private sealed class Finish(RunningTasks owner, TaskId task) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            if (owner._running.AddOrUpdate(task, 0, (_, count) => count - 1) <= 0)
                owner._running.TryRemove(new KeyValuePair<TaskId, int>(task, 0));
        }
    }
}
