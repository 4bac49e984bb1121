namespace Orchestration.Contracts.Messages;

/// <summary>
/// Event from a worker: it took an attempt from its queue and started it at <paramref name="At"/>. From then on the
/// attempt's task timeout runs; before, it was only waiting its turn.
/// </summary>
[WireName("task-started.v1")]
public sealed record TaskStarted(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, DateTimeOffset At)
{
    public override string ToString() => $"Task {TaskId} attempt {Attempt} started on {Worker} at {At:O}";
}
