namespace Orchestration.Contracts.Messages;

/// <summary>
/// Command to a worker: run one attempt of one task. Workers compete for these; a worker may receive
/// the same command twice, so running it must be idempotent (outputs are named by task and attempt).
/// </summary>
/// <param name="Deadline">When the attempt is late if no worker has started it (the start then gives it its task timeout).</param>
/// <param name="HeartbeatEvery">How often the worker reports the attempt alive while it runs (zero: never).</param>
/// <param name="Worker">The one worker meant to run it (sent to that worker's own queue); null for any worker.</param>
/// <param name="Label">
/// A label (<c>key=value</c>) the worker must have: sent to that label's queue, which every worker with the label reads
/// and competes on; null when not routed by label.
/// </param>
[WireName("run-task.v1")]
public sealed record RunTask(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    string Step,
    int Partition,
    StepWork Work,
    IReadOnlyList<TaskInput> Inputs,
    IReadOnlyDictionary<string, string> Parameters,
    DateTimeOffset Deadline,
    TimeSpan HeartbeatEvery = default,
    WorkerId? Worker = null,
    string? Label = null)
{
    public override string ToString() =>
        $"Run task {TaskId} attempt {Attempt} ({Work}) over {Inputs.Count} input(s){(Worker is { } w ? $" on {w}" : Label is { } l ? $" on any worker with {l}" : "")}, to be started by {Deadline:O}";
}
