namespace Orchestration.Contracts.Messages;

/// <summary>
/// Published to every worker when a process is cancelled: each stops the process's tasks it is running (freeing their
/// slots) and skips those it takes from its queues afterwards. Results of either would be dropped anyway.
/// </summary>
[WireName("stop-process-tasks.v1")]
public sealed record StopProcessTasks(ProcessId ProcessId, string Reason)
{
    public override string ToString() => $"Stop the tasks of process {ProcessId}: {Reason}";
}
