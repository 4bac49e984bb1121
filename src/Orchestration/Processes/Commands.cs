using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;

namespace Orchestration.Processes;

/// <summary>A command to one process aggregate. Commands of one process are decided one at a time.</summary>
public interface IProcessCommand
{
    ProcessId ProcessId { get; }
}

/// <summary>
/// Start a process of <paramref name="Graph"/> (resolved from the catalogue by the caller and recorded whole)
/// over the named <paramref name="Datasets"/>. A client's command: it has a wire name, as it travels to the orchestrator.
/// </summary>
/// <param name="Priority">How urgent it is (<see cref="ProcessPriority"/>): its tasks overtake queued tasks of less urgent processes.</param>
[WireName("start-process.v1")]
public sealed record StartProcess(
    ProcessId ProcessId,
    ProcessGraph Graph,
    IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Datasets,
    IReadOnlyDictionary<string, string> Parameters,
    int Priority = ProcessPriority.Normal) : IProcessCommand
{
    public override string ToString() =>
        $"Start process {ProcessId} of graph {Graph} over {string.Join(", ", Datasets.Select(d => $"{d.Key} ({d.Value.Count} blobs)"))}";
}

/// <summary>Record that an attempt of a task completed (from a worker's <see cref="TaskCompleted"/>).</summary>
public sealed record ConfirmTask(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    WorkerId Worker,
    IReadOnlyList<BlobRef> Outputs,
    IReadOnlyDictionary<string, string> Metadata,
    TaskMetrics Metrics,
    string? CacheKey = null) : IProcessCommand
{
    public static ConfirmTask From(TaskCompleted e) => new(e.ProcessId, e.TaskId, e.Attempt, e.Worker, e.Outputs, e.Metadata, e.Metrics, e.CacheKey);
    public override string ToString() => $"Confirm task {TaskId} attempt {Attempt} from {Worker} with {Outputs.Count} output(s)";
}

/// <summary>
/// Sent by the orchestrator before it sends a task whose cache key has a recorded result with its outputs still present:
/// the task is confirmed with that result (from <paramref name="Source"/>, which ran on <paramref name="Worker"/>), and
/// no worker runs it.
/// </summary>
public sealed record ReuseTask(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    TaskId Source,
    WorkerId Worker,
    IReadOnlyList<BlobRef> Outputs,
    IReadOnlyDictionary<string, string> Metadata,
    TaskMetrics Metrics,
    string CacheKey) : IProcessCommand
{
    public override string ToString() => $"Reuse for task {TaskId} attempt {Attempt} the result of task {Source}";
}

/// <summary>
/// Sent by the orchestrator when a task's result differs (by content) from the result recorded earlier for the same
/// cache key, by another task: the same work over the same bytes gave two results.
/// </summary>
public sealed record FlagNondeterminism(ProcessId ProcessId, TaskId TaskId, string Detail) : IProcessCommand
{
    public override string ToString() => $"Flag task {TaskId} as non-deterministic: {Detail}";
}

/// <summary>Record that an attempt of a task failed (from a worker's <see cref="TaskFailed"/>).</summary>
/// <param name="TimedOut">The worker stopped the attempt at its task timeout.</param>
public sealed record FailTask(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, string Error, bool Retryable, bool TimedOut = false) : IProcessCommand
{
    public static FailTask From(TaskFailed e) => new(e.ProcessId, e.TaskId, e.Attempt, e.Worker, e.Error, e.Retryable, e.TimedOut);
    public override string ToString() => $"Fail task {TaskId} attempt {Attempt} from {Worker} ({(Retryable ? "retryable" : "not retryable")}): {Error}";
}

/// <summary>Record that a worker started an attempt (from its <see cref="TaskStarted"/>): the attempt left its queue.</summary>
public sealed record RecordTaskStart(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker) : IProcessCommand
{
    public static RecordTaskStart From(TaskStarted e) => new(e.ProcessId, e.TaskId, e.Attempt, e.Worker);
    public override string ToString() => $"Record the start of task {TaskId} attempt {Attempt} on {Worker}";
}

/// <summary>Record that an attempt of a long task is still running (from a worker's <see cref="TaskHeartbeat"/>).</summary>
/// <param name="Progress">What the step reported of its progress, which may extend its timeout (<see cref="Graphs.RetryPolicy.ProgressExtendsUpTo"/>).</param>
public sealed record RecordHeartbeat(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, string? Progress = null) : IProcessCommand
{
    public static RecordHeartbeat From(TaskHeartbeat e) => new(e.ProcessId, e.TaskId, e.Attempt, e.Worker, e.Progress);
    public override string ToString() => $"Record a heartbeat of task {TaskId} attempt {Attempt} from {Worker}";
}

/// <summary>Sent by the timeout manager when an attempt's deadline passed; the aggregate checks its own state first.</summary>
public sealed record TryTimeoutTask(ProcessId ProcessId, TaskId TaskId, int Attempt) : IProcessCommand
{
    public override string ToString() => $"Try to time out task {TaskId} attempt {Attempt}";
}

/// <summary>Stop a running process; results of its running tasks are dropped when they arrive.</summary>
[WireName("cancel-process.v1")]
public sealed record CancelProcess(ProcessId ProcessId, string Reason) : IProcessCommand
{
    public override string ToString() => $"Cancel process {ProcessId}: {Reason}";
}

/// <summary>
/// Take up a failed or cancelled process where it stopped: confirmed tasks stay confirmed, every unconfirmed task of a
/// started step gets a fresh attempt (with the step's whole retry budget again), and steps not yet started start as
/// their dependencies complete. History is appended to, never rewritten.
/// </summary>
/// <param name="Datasets">Datasets whose blobs are replaced by fixed copies, blob for blob (a bad partition corrected):
/// the unconfirmed tasks that read a changed blob read its copy; none of the process's confirmed tasks may have read one.</param>
[WireName("retry-process.v1")]
public sealed record RetryProcess(ProcessId ProcessId, string Reason, IReadOnlyDictionary<string, IReadOnlyList<BlobRef>>? Datasets = null) : IProcessCommand
{
    public override string ToString() => $"Retry process {ProcessId}: {Reason}";
}

/// <summary>
/// Retention: an ended process's history is being archived and its events are to be removed from the store. From then on
/// the process takes no command (its stream is about to go); once removed, its id may start a new process.
/// </summary>
[WireName("archive-process.v1")]
public sealed record ArchiveProcess(ProcessId ProcessId, string Reason) : IProcessCommand
{
    public override string ToString() => $"Archive process {ProcessId}: {Reason}";
}

/// <summary>Hold a running process: no new attempt is given to workers (queued ones are skipped), running ones finish.</summary>
[WireName("pause-process.v1")]
public sealed record PauseProcess(ProcessId ProcessId, string Reason) : IProcessCommand
{
    public override string ToString() => $"Pause process {ProcessId}: {Reason}";
}

/// <summary>Let a paused process go on: the attempts it held, and those its workers skipped, are given out afresh.</summary>
[WireName("resume-process.v1")]
public sealed record ResumeProcess(ProcessId ProcessId, string Reason) : IProcessCommand
{
    public override string ToString() => $"Resume process {ProcessId}: {Reason}";
}

/// <summary>
/// Sent by the orchestrator, about once a second, for a step far enough along for its speculation: the aggregate copies
/// the attempts that run much longer than the step's confirmed ones took.
/// </summary>
public sealed record ReviewStragglers(ProcessId ProcessId, string Step) : IProcessCommand
{
    public override string ToString() => $"Review the stragglers of step '{Step}'";
}

/// <summary>
/// Sent by the orchestrator for a step awaiting workers, with the live workers it knows right now: the aggregate plans
/// the step's tasks on those matching the step's selector and records the choice in its events.
/// </summary>
public sealed record PlaceStep(ProcessId ProcessId, string Step, IReadOnlyList<LabeledWorker> Workers) : IProcessCommand
{
    public override string ToString() => $"Place step '{Step}' on the live workers: {(Workers.Count == 0 ? "none" : string.Join(", ", Workers))}";
}
