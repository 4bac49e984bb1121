using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;

namespace Orchestration.Processes;

/// <summary>An event of one process's stream. Small: references and metadata, never data.</summary>
public interface IProcessEvent
{
    ProcessId ProcessId { get; }
}

/// <summary>A process started with its whole graph, datasets, parameters and priority: a new deployment never changes it.</summary>
[WireName("process-started.v1")]
public sealed record ProcessStarted(
    ProcessId ProcessId,
    ProcessGraph Graph,
    IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Datasets,
    IReadOnlyDictionary<string, string> Parameters,
    DateTimeOffset At,
    int Priority = ProcessPriority.Normal) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} started graph {Graph} with {Graph.Steps.Count} step(s)";
}

/// <summary>A step's batch of tasks was decided; its <see cref="TaskScheduled"/> events follow.</summary>
[WireName("step-started.v1")]
public sealed record StepStarted(ProcessId ProcessId, string Step, int Tasks, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Step '{Step}' started with {Tasks} task(s)";
}

/// <summary>
/// A step placed by label is ready but its tasks are not planned yet: only the orchestrator knows the live workers, so
/// it places the step (<see cref="PlaceStep"/>) on those that match <paramref name="Selector"/> now.
/// </summary>
[WireName("step-awaiting-workers.v1")]
public sealed record StepAwaitingWorkers(ProcessId ProcessId, string Step, string Selector, Target Mode, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Step '{Step}' waits to be placed on {(Mode == Target.All ? "every" : "any")} worker matching {Selector}";
}

/// <summary>An attempt of a task is to be run, not before <paramref name="NotBefore"/>, and is late after <paramref name="Deadline"/>.</summary>
/// <param name="Target">The worker a task of a step placed on all matching workers runs on (recorded when the step
/// started, so a replay or a retry uses the same one), or a broadcast task's target; null for any worker.</param>
/// <param name="Route">Where the attempt's command goes, decided here by the aggregate (<see cref="Graphs.StepDefinition.RouteFor"/>)
/// so that the dispatcher only builds and sends; null in events recorded before routes were, which are routed by the same rule.</param>
/// <param name="Item">The item of a fan-out over items this task runs for (its parameter <c>item</c>); null otherwise.</param>
/// <param name="CopyOf">For a speculative copy of a straggler: the attempt it copies, which runs on and whose result counts
/// as much as the copy's (the first confirmed wins); null otherwise.</param>
/// <param name="AwayFrom">For a copy: the worker the straggler runs on, which the copy is not sent to.</param>
[WireName("task-scheduled.v1")]
public sealed record TaskScheduled(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    string Step,
    int Partition,
    IReadOnlyList<TaskInput> Inputs,
    string? Target,
    DateTimeOffset NotBefore,
    DateTimeOffset Deadline,
    TaskRoute? Route = null,
    string? Item = null,
    int? CopyOf = null,
    WorkerId? AwayFrom = null) : IProcessEvent
{
    public override string ToString() =>
        $"Task {TaskId} attempt {Attempt} scheduled{(CopyOf is { } original ? $" as a copy of attempt {original}" : "")} over {Inputs.Count} input(s){(Target is null ? "" : $" for {Target}")}{(Item is null ? "" : $" for item '{Item}'")}, deadline {Deadline:HH:mm:ss}";
}

/// <summary>
/// An attempt ran much longer than its step's confirmed tasks took (a slow or overloaded worker): it gets a copy, which
/// follows as a <see cref="TaskScheduled"/> with <c>CopyOf</c>, sent to another worker. Both run; the first confirmed wins.
/// </summary>
[WireName("straggler-copied.v1")]
public sealed record StragglerCopied(ProcessId ProcessId, TaskId TaskId, int Attempt, int Copy, WorkerId RunningOn, TimeSpan Running, TimeSpan Median, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() =>
        $"Task {TaskId} attempt {Attempt} has run {Running.TotalSeconds:0.0} s on {RunningOn}, against a median of {Median.TotalSeconds:0.0} s: attempt {Copy} copies it on another worker";
}

/// <summary>An attempt's result was accepted: its outputs and metadata are the task's, for good.</summary>
/// <param name="ReusedFrom">The task whose recorded result this is (memoized: no worker ran this attempt); null when a worker ran it.</param>
/// <param name="CacheKey">The task's cache key, under which its result is recorded for later tasks; null for a step that reuses nothing.</param>
[WireName("task-confirmed.v1")]
public sealed record TaskConfirmed(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    WorkerId Worker,
    IReadOnlyList<BlobRef> Outputs,
    IReadOnlyDictionary<string, string> Metadata,
    TaskMetrics Metrics,
    DateTimeOffset At,
    TaskId? ReusedFrom = null,
    string? CacheKey = null) : IProcessEvent
{
    public override string ToString() => ReusedFrom is { } source
        ? $"Task {TaskId} attempt {Attempt} confirmed with the result of task {source} (run by {Worker}), reused: same work over the same bytes{Warning(Metadata)}"
        : $"Task {TaskId} attempt {Attempt} confirmed by {Worker} with {Outputs.Count} output(s){Warning(Metadata)}";

    /// <summary>
    /// The metadata key a step sets to succeed with something to say (<c>warning=no input for 2026-05-06</c>); history and
    /// describe print it. The engine's only convention about a step's metadata.
    /// </summary>
    public const string WarningKey = "warning";

    /// <summary>The step's warning as the end of a history line, or nothing.</summary>
    public static string Warning(IReadOnlyDictionary<string, string> metadata) => metadata.TryGetValue(WarningKey, out var warning) ? $", warning {warning}" : "";
}

/// <summary>An attempt failed on its worker, retryably or not.</summary>
/// <param name="TimedOut">Its worker stopped it at its task timeout (the attempt timed out where it ran).</param>
[WireName("task-attempt-failed.v1")]
public sealed record TaskAttemptFailed(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, string Error, bool Retryable, DateTimeOffset At, bool TimedOut = false) : IProcessEvent
{
    public override string ToString() => $"Task {TaskId} attempt {Attempt} failed on {Worker}{(Retryable ? "" : " (not retryable)")}: {Error}";
}

/// <summary>A worker took an attempt from its queue and started it: the attempt is now late after <paramref name="Deadline"/>.</summary>
[WireName("task-start-recorded.v1")]
public sealed record TaskStartRecorded(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, DateTimeOffset Deadline, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Task {TaskId} attempt {Attempt} started on {Worker}; deadline {Deadline:HH:mm:ss}";
}

/// <summary>An attempt's worker is alive: the attempt is now late only after <paramref name="Deadline"/>.</summary>
/// <param name="Cap">When the step's reported progress moved the attempt's hard cap: the cap from now on; null otherwise.</param>
/// <param name="Progress">What the step reported of its progress; null for a plain beat.</param>
[WireName("task-heartbeat-recorded.v1")]
public sealed record TaskHeartbeatRecorded(ProcessId ProcessId, TaskId TaskId, int Attempt, WorkerId Worker, DateTimeOffset Deadline, DateTimeOffset At,
    DateTimeOffset? Cap = null, string? Progress = null) : IProcessEvent
{
    public override string ToString() =>
        $"Task {TaskId} attempt {Attempt} is alive on {Worker}{(Progress is null ? "" : $", progress: {Progress}")}; deadline moved to {Deadline:HH:mm:ss}{(Cap is { } cap ? $", may run until {cap:HH:mm:ss}" : "")}";
}

/// <summary>An attempt passed its deadline without a result.</summary>
[WireName("task-timed-out.v1")]
public sealed record TaskTimedOut(ProcessId ProcessId, TaskId TaskId, int Attempt, DateTimeOffset Deadline, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Task {TaskId} attempt {Attempt} timed out (deadline {Deadline:HH:mm:ss})";
}

/// <summary>Why a task gets another attempt; the attempt itself follows as <see cref="TaskScheduled"/>.</summary>
[WireName("task-retry-scheduled.v1")]
public sealed record TaskRetryScheduled(ProcessId ProcessId, TaskId TaskId, int Attempt, TimeSpan Delay, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Task {TaskId} will be retried as attempt {Attempt} after {Delay.TotalSeconds:0.###} s: {Reason}";
}

/// <summary>Every task of a step is confirmed.</summary>
[WireName("step-completed.v1")]
public sealed record StepCompleted(ProcessId ProcessId, string Step, int Tasks, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Step '{Step}' completed ({Tasks} task(s))";
}

/// <summary>A step did not run: its condition did not hold, or it depends on a step that was skipped. Its dependants are skipped too.</summary>
[WireName("step-skipped.v1")]
public sealed record StepSkipped(ProcessId ProcessId, string Step, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Step '{Step}' skipped: {Reason}";
}

/// <summary>A step failed for good, with the reason.</summary>
[WireName("step-failed.v1")]
public sealed record StepFailed(ProcessId ProcessId, string Step, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Step '{Step}' failed: {Reason}";
}

/// <summary>The process completed; <paramref name="Outputs"/> are the outputs of its final steps.</summary>
[WireName("process-completed.v1")]
public sealed record ProcessCompleted(ProcessId ProcessId, IReadOnlyList<BlobRef> Outputs, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} completed with {Outputs.Count} output(s)";
}

/// <summary>The process failed, with the reason (its failed step's).</summary>
[WireName("process-failed.v1")]
public sealed record ProcessFailed(ProcessId ProcessId, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} failed: {Reason}";
}

/// <summary>The process was cancelled, with the reason given.</summary>
[WireName("process-cancelled.v1")]
public sealed record ProcessCancelled(ProcessId ProcessId, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} cancelled: {Reason}";
}

/// <summary>
/// A failed or cancelled process was taken up again, by whom and why, over <paramref name="Datasets"/> (the ones it had,
/// with any blobs the retry replaced). It carries what the process runs with (its graph, parameters and each started
/// step's task count), so that a reader of the log takes the process up again without reading its stream; the fresh
/// attempts follow as <see cref="TaskScheduled"/>.
/// </summary>
[WireName("process-retried.v1")]
public sealed record ProcessRetried(
    ProcessId ProcessId,
    string Reason,
    ProcessGraph Graph,
    IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Datasets,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, int> StepTasks,
    DateTimeOffset At,
    int Priority = ProcessPriority.Normal) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} retried: {Reason}";
}

/// <summary>The ended process is being pruned: its history goes to the blob store's archive and its events leave the store.</summary>
[WireName("process-archived.v1")]
public sealed record ProcessArchived(ProcessId ProcessId, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} archived: {Reason}";
}

/// <summary>The process was paused: until it resumes, no attempt is given to workers and retries are held.</summary>
[WireName("process-paused.v1")]
public sealed record ProcessPaused(ProcessId ProcessId, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} paused: {Reason}";
}

/// <summary>The process was resumed; the attempts it held follow as <see cref="TaskScheduled"/>.</summary>
[WireName("process-resumed.v1")]
public sealed record ProcessResumed(ProcessId ProcessId, string Reason, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Process {ProcessId} resumed: {Reason}";
}

/// <summary>
/// A step gave two different results for the same work over the same bytes (two attempts, a copy, a duplicate delivery,
/// or a recorded result recomputed): its output depends on something besides its inputs. A warning, once per step; the
/// process goes on. Also recorded after the process ended, when the comparison comes later.
/// </summary>
[WireName("step-nondeterministic.v1")]
public sealed record StepNondeterministic(ProcessId ProcessId, string Step, TaskId TaskId, string Detail, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() => $"Step '{Step}' is non-deterministic: task {TaskId} {Detail}";
}
