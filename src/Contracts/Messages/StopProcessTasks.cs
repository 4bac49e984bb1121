namespace Orchestration.Contracts.Messages;

/// <summary>
/// Published to every worker when a process is cancelled or paused: each skips the process's attempts scheduled before
/// <paramref name="Before"/> that it takes from its queues afterwards, and, for a cancel, stops those it is running
/// (freeing their slots). Results of either would be dropped anyway; a paused process's running attempts finish.
/// </summary>
/// <param name="Before">The log position of the cancel or pause: attempts scheduled after it (a retry, a resume) run.
/// Zero stops every attempt of the process.</param>
/// <param name="KeepRunning">A pause: attempts already running finish.</param>
[WireName("stop-process-tasks.v1")]
public sealed record StopProcessTasks(ProcessId ProcessId, string Reason, long Before = 0, bool KeepRunning = false)
{
    /// <summary>Whether an attempt scheduled at <paramref name="position"/> in the log is one this stop skips.</summary>
    public bool Covers(long position) => Before == 0 || position < Before;

    public override string ToString() => $"{(KeepRunning ? "Hold" : "Stop")} the tasks of process {ProcessId}: {Reason}";
}
