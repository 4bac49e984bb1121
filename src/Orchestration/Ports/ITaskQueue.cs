using Orchestration.Contracts.Messages;

namespace Orchestration.Ports;

/// <summary>Where the dispatcher sends <see cref="RunTask"/> commands for workers to compete for.</summary>
public interface ITaskQueue
{
    /// <summary>
    /// True when sent commands survive a restart of this process (a broker); false for an in-memory queue,
    /// whose unfinished tasks the dispatcher sends again after a restart.
    /// </summary>
    bool IsDurable { get; }

    /// <summary>
    /// Sends <paramref name="tasks"/>; up to <paramref name="mostPerMessage"/> tasks of one step of one process, bound for
    /// the same queue, may travel in one message (<see cref="RunTasks"/>), which one worker takes and runs in turn.
    /// Returns how many messages went (what the broker and the workers pay for, where the tasks are what is counted).
    /// </summary>
    Task<int> SendAsync(IReadOnlyList<RunTask> tasks, int mostPerMessage = 1, CancellationToken cancellationToken = default);

    /// <summary>Tells every worker to stop (or, for a pause, hold) the tasks of a process it runs or has queued (<see cref="StopProcessTasks"/>).</summary>
    Task StopAsync(StopProcessTasks stop, CancellationToken cancellationToken = default);
}
