namespace Orchestration.Contracts.Messages;

/// <summary>Event from a worker: an attempt of a long task is still running at <paramref name="At"/>.</summary>
[WireName("task-heartbeat.v1")]
public sealed record TaskHeartbeat(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, DateTimeOffset At)
{
    public override string ToString() => $"Task {TaskId} attempt {Attempt} still running on {Worker} at {At:O}";
}
