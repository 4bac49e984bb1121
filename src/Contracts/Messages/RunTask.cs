namespace Orchestration.Contracts.Messages;

/// <summary>
/// Command to a worker: run one attempt of one task. Workers compete for these; a worker may receive
/// the same command twice, so running it must be idempotent (outputs are named by task and attempt).
/// </summary>
/// <param name="Deadline">When the attempt is late if no worker has started it (the start then gives it its task timeout).</param>
/// <param name="HeartbeatEvery">How often the worker reports the attempt alive while it runs (zero: never).</param>
/// <param name="Route">
/// Which queue it goes to (the shared one, its C# step's, a label's, or one worker's own), decided from the step's
/// placement; null for the shared queue.
/// </param>
/// <param name="Lists">For a SQL step: metadata lists to report, key to the result's column whose distinct values it lists.</param>
/// <param name="TaskTimeout">How long the worker lets the attempt run once it takes it: at the end it stops the step and
/// reports the attempt failed as timed out (zero: no limit of the worker's own).</param>
/// <param name="LogPosition">Where the attempt was scheduled in the orchestrator's log: a stop for its process from later
/// in the log (<see cref="StopProcessTasks.Before"/>) applies to it, an attempt scheduled after the stop runs (zero: unknown).</param>
/// <param name="ProgressExtendsUpTo">For a C# step: each progress report it makes allows one more task timeout, up to
/// this long from the start (zero: progress extends nothing).</param>
/// <param name="CacheKey">The task's cache key, when its result may be reused by later tasks: the worker returns it with the result.</param>
/// <param name="Priority">Its process's priority (<see cref="ProcessPriority"/>): a more urgent task overtakes it in its queue.</param>
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
    TaskRoute? Route = null,
    IReadOnlyDictionary<string, string>? Lists = null,
    TimeSpan TaskTimeout = default,
    long LogPosition = 0,
    byte Priority = 0,
    TimeSpan ProgressExtendsUpTo = default,
    string? CacheKey = null)
{
    /// <summary>The one worker meant to run it, when routed to a worker's own queue.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public WorkerId? Worker => Route?.Worker;

    public override string ToString() =>
        $"Run task {TaskId} attempt {Attempt} ({Work}) over {Inputs.Count} input(s){(Route is { Kind: RouteKind.Label or RouteKind.Worker } r ? $" on {r}" : "")}, to be started by {Deadline:O}";
}
