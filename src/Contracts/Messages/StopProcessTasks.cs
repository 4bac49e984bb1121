namespace Orchestration.Contracts.Messages;

/// <summary>
/// Published to every worker when a process is cancelled or paused, or when one of a straggler and its copy is
/// confirmed: each skips the attempts the stop covers that it takes from its queues afterwards and, unless it is a pause,
/// stops those it is running (freeing their slots). Their results would be dropped anyway; a paused process's running
/// attempts finish.
/// </summary>
/// <param name="Before">The log position of the cancel or pause: attempts scheduled after it (a retry, a resume) run.
/// Zero covers every attempt of the process.</param>
/// <param name="KeepRunning">A pause: attempts already running finish.</param>
/// <param name="Task">With <paramref name="Attempt"/>: the stop covers that one attempt (a copy that lost), not the process.</param>
[WireName("stop-process-tasks.v1")]
public sealed record StopProcessTasks(ProcessId ProcessId, string Reason, long Before = 0, bool KeepRunning = false, TaskId? Task = null, int Attempt = 0)
{
    /// <summary>Whether this stop covers <paramref name="task"/>: it is not to be run, or to be stopped if running.</summary>
    public bool Covers(RunTask task) =>
        task.ProcessId == ProcessId && (Task is { } one ? task.TaskId == one && task.Attempt == Attempt : Before == 0 || task.LogPosition < Before);

    public override string ToString() =>
        $"{(KeepRunning ? "Hold" : "Stop")} {(Task is { } one ? $"attempt {Attempt} of task {one}" : $"the tasks of process {ProcessId}")}: {Reason}";
}
