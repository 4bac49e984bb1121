namespace Orchestration.Contracts.Messages;

/// <summary>Event from a worker: an attempt of a long task is still running at <paramref name="At"/>.</summary>
/// <param name="Progress">What the step's own code last reported of its progress (a C# step's <c>ReportProgress</c>); null for a plain beat.</param>
[WireName("task-heartbeat.v1")]
public sealed record TaskHeartbeat(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, DateTimeOffset At, string? Progress = null)
{
    public override string ToString() => $"Task {TaskId} attempt {Attempt} still running on {Worker} at {At:O}{(Progress is null ? "" : $": {Progress}")}";
}
