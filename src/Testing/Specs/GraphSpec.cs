using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using static Orchestration.Testing.SpecDefaults;

namespace Orchestration.Testing;

/// <summary>
/// Given-when-then specs of one graph's process: builders for its events and commands, with the defaults a spec does not
/// care about filled in (process <see cref="SpecDefaults.Process"/>, worker <see cref="SpecDefaults.Worker"/>, the epoch).
/// A class names its graph with <see cref="DefaultGraph"/> (and data with <see cref="DefaultData"/>); one spec picks
/// another with <see cref="Using"/>:
/// <code>
/// public sealed class confirm_score : GraphSpec
/// {
///     protected override ProcessGraph DefaultGraph() => Revenue.Graph;
///
///     [Fact]
///     public void the_last_score_schedules_the_report()
///     {
///         Given(...);
///         When(Confirm("score", 0));
///         Expect(Confirmed("score", 0), StepCompleted("score", 1), ...);
///     }
/// }
/// </code>
/// </summary>
public abstract class GraphSpec : ProcessSpec
{
    private ProcessGraph? _graph;
    private IReadOnlyDictionary<string, IReadOnlyList<BlobRef>>? _data;

    /// <summary>The graph of this spec (its class's, or the one <see cref="Using"/> chose).</summary>
    protected ProcessGraph Graph => _graph ??= DefaultGraph();
    /// <summary>The datasets its process starts with.</summary>
    protected IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Data => _data ??= DefaultData();

    /// <summary>The graph this class's specs are about.</summary>
    protected abstract ProcessGraph DefaultGraph();

    /// <summary>The datasets its process starts with (none by default; see <see cref="SpecDefaults.Partitions"/>).</summary>
    protected virtual IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> DefaultData() => new Dictionary<string, IReadOnlyList<BlobRef>>();

    /// <summary>Runs this one spec over another graph and/or data than its class's; call it before <c>Given</c>.</summary>
    protected void Using(ProcessGraph? graph = null, IReadOnlyDictionary<string, IReadOnlyList<BlobRef>>? data = null) =>
        (_graph, _data) = (graph ?? _graph, data ?? _data);

    /// <summary>The step's task timeout, from the graph.</summary>
    protected TimeSpan Timeout(string step) => Graph.Step(step).Retry.TaskTimeout;

    /// <summary>How long a task may wait for its worker: the queue timeout, or the task timeout for one named worker.</summary>
    protected TimeSpan QueueWait(string step, string? target) =>
        target is not null && Graph.Step(step).On?.Mode == Orchestration.Graphs.Target.All ? Timeout(step) : Graph.Step(step).Retry.QueueTimeout;

    /// <summary>The command that starts the process over <see cref="Data"/>.</summary>
    protected StartProcess Start() => new(Process, Graph, Data, NoParameters);

    /// <summary>The process started (default: at the epoch).</summary>
    protected ProcessStarted Started(DateTimeOffset? at = null) => new(Process, Graph, Data, NoParameters, at ?? Epoch);

    /// <summary>A step started with <paramref name="tasks"/> tasks.</summary>
    protected StepStarted StepStarted(string step, int tasks, DateTimeOffset? at = null) => new(Process, step, tasks, at ?? Epoch);

    /// <summary>The first attempt of a task, scheduled at <paramref name="at"/> (default: the epoch); it may wait one queue timeout for a worker.</summary>
    /// <param name="item">For a fan-out over items: the item the task runs for.</param>
    protected TaskScheduled Scheduled(string step, int partition, IReadOnlyList<TaskInput> inputs, DateTimeOffset? at = null, string? target = null, string? item = null) =>
        new(Process, Task(step, partition), 1, step, partition, inputs, target, at ?? Epoch, (at ?? Epoch) + QueueWait(step, target), RouteOf(step, target), item);

    /// <summary>A later attempt, sent after <paramref name="delay"/> of backoff.</summary>
    protected TaskScheduled Rescheduled(string step, int partition, int attempt, IReadOnlyList<TaskInput> inputs, DateTimeOffset at, TimeSpan delay, string? target = null, string? item = null) =>
        new(Process, Task(step, partition), attempt, step, partition, inputs, target, at + delay, at + delay + QueueWait(step, target), RouteOf(step, target), item);

    /// <summary>Where the graph routes a task of <paramref name="step"/> (for <paramref name="target"/>), as the aggregate records it.</summary>
    protected TaskRoute RouteOf(string step, string? target = null) => Graph.Step(step).RouteFor(target);

    /// <summary>A worker reports it started an attempt.</summary>
    protected RecordTaskStart StartTask(string step, int partition, int attempt = 1, WorkerId? worker = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker);

    /// <summary>An attempt a worker started at <paramref name="at"/> (default: the epoch): due one task timeout later.</summary>
    protected TaskStartRecorded StartRecorded(string step, int partition, DateTimeOffset? at = null, int attempt = 1, WorkerId? worker = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, (at ?? Epoch) + Graph.Step(step).Retry.UntilFirstBeat, at ?? Epoch);

    /// <summary>Every blob given under one view name.</summary>
    protected static IReadOnlyList<TaskInput> Inputs(string name, params IEnumerable<BlobRef> blobs) =>
        blobs.Select(b => new TaskInput(name, b)).ToArray();

    /// <summary>
    /// The output blob an attempt of a task writes in these specs: named by attempt, with the same bytes every attempt
    /// (steps are deterministic), so that a second result of a task is a duplicate, not a sign of non-determinism.
    /// </summary>
    protected static BlobRef Output(string step, int partition, int attempt = 1) =>
        Blob($"{step}-{partition}-a{attempt}.parquet", rows: 10) with { Sha256 = Blob($"{step}-{partition}.parquet").Sha256 };

    /// <summary>A worker's result for an attempt (default: one output, and the metadata every worker reports: none, or a scatter task's bucket function).</summary>
    protected ConfirmTask Confirm(string step, int partition, int attempt = 1, WorkerId? worker = null, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<BlobRef>? outputs = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, outputs ?? [Output(step, partition, attempt)], metadata ?? ReportedByEveryWorker(step), Metrics);

    /// <summary>An attempt confirmed, as the aggregate records it.</summary>
    protected TaskConfirmed Confirmed(string step, int partition, int attempt = 1, WorkerId? worker = null, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<BlobRef>? outputs = null, DateTimeOffset? at = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, outputs ?? [Output(step, partition, attempt)], metadata ?? ReportedByEveryWorker(step), Metrics, at ?? Epoch);

    /// <summary>What a worker reports of any task of <paramref name="step"/>: a scatter task, the bucket function it used.</summary>
    private IReadOnlyDictionary<string, string> ReportedByEveryWorker(string step) =>
        Graph.Step(step).Work is { Kind: WorkKind.Partition } work
            ? new Dictionary<string, string> { [StepWork.BucketFunctionMetadata] = work.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : NoMetadata;

    /// <summary>A worker reports an attempt failed.</summary>
    protected FailTask Fail(string step, int partition, string error, bool retryable, int attempt = 1) =>
        new(Process, Task(step, partition), attempt, Worker, error, retryable);

    /// <summary>An attempt failed, as the aggregate records it.</summary>
    protected TaskAttemptFailed AttemptFailed(string step, int partition, string error, bool retryable, int attempt = 1, DateTimeOffset? at = null) =>
        new(Process, Task(step, partition), attempt, Worker, error, retryable, at ?? Epoch);

    /// <summary>The timeout manager asks whether an attempt is late.</summary>
    protected static TryTimeoutTask TryTimeout(string step, int partition, int attempt = 1) => new(Process, Task(step, partition), attempt);

    /// <summary>An attempt timed out at <paramref name="at"/>, past <paramref name="deadline"/>.</summary>
    protected static TaskTimedOut TimedOut(string step, int partition, int attempt, DateTimeOffset deadline, DateTimeOffset at) =>
        new(Process, Task(step, partition), attempt, deadline, at);

    /// <summary>A further attempt is scheduled after <paramref name="delay"/>, with the reason.</summary>
    protected static TaskRetryScheduled RetryScheduled(string step, int partition, int attempt, TimeSpan delay, string reason, DateTimeOffset at) =>
        new(Process, Task(step, partition), attempt, delay, reason, at);

    /// <summary>
    /// History of a task that failed (retryably) and was retried: for each delay, attempt <c>n</c> fails and attempt
    /// <c>n + 1</c> is scheduled after that delay, one minute after the previous retry.
    /// </summary>
    protected IProcessEvent[] Retries(string step, int partition, IReadOnlyList<TaskInput> inputs, params int[] delaysInSeconds) =>
        delaysInSeconds.SelectMany((seconds, i) =>
        {
            var (attempt, at, delay) = (i + 2, Epoch + TimeSpan.FromMinutes(i + 1), TimeSpan.FromSeconds(seconds));
            return (IProcessEvent[])[
                AttemptFailed(step, partition, "connection reset", retryable: true, attempt: attempt - 1, at: at),
                RetryScheduled(step, partition, attempt, delay, "connection reset", at),
                Rescheduled(step, partition, attempt, inputs, at, delay),
            ];
        }).ToArray();

    /// <summary>A step completed with <paramref name="tasks"/> tasks.</summary>
    protected StepCompleted StepCompleted(string step, int tasks, DateTimeOffset? at = null) => new(Process, step, tasks, at ?? Epoch);

    /// <summary>A step skipped (its condition did not hold, or a step it depends on was skipped), with the reason.</summary>
    protected static StepSkipped StepSkipped(string step, string reason, DateTimeOffset? at = null) => new(Process, step, reason, at ?? Epoch);

    /// <summary>A step failed and took the process with it, as the aggregate records it.</summary>
    protected static IProcessEvent[] StepAndProcessFailed(string step, string reason, DateTimeOffset? at = null) =>
    [
        new StepFailed(Process, step, reason, at ?? Epoch),
        new ProcessFailed(Process, $"step '{step}' failed: {reason}", at ?? Epoch),
    ];

    /// <summary>The process completed with these outputs (its final steps').</summary>
    protected static ProcessCompleted ProcessCompleted(IReadOnlyList<BlobRef> outputs, DateTimeOffset? at = null) => new(Process, outputs, at ?? Epoch);

    /// <summary>The command that cancels the process.</summary>
    protected static CancelProcess Cancel(string reason = "stopped by an operator") => new(Process, reason);

    /// <summary>The process cancelled, with the reason.</summary>
    protected static ProcessCancelled Cancelled(string reason = "stopped by an operator", DateTimeOffset? at = null) => new(Process, reason, at ?? Epoch);

    /// <summary>An operator retries the failed or cancelled process.</summary>
    protected static RetryProcess Retry(string reason = "retried by an operator", IReadOnlyDictionary<string, IReadOnlyList<BlobRef>>? datasets = null) =>
        new(Process, reason, datasets);

    /// <summary>
    /// The process retried: it carries the graph, the spec's data (or <paramref name="datasets"/> when the retry replaced
    /// blobs), no parameters, and the task count of each given step.
    /// </summary>
    protected ProcessRetried Retried(IReadOnlyDictionary<string, int> stepTasks, string reason = "retried by an operator", DateTimeOffset? at = null,
        IReadOnlyDictionary<string, IReadOnlyList<BlobRef>>? datasets = null) =>
        new(Process, reason, Graph, datasets ?? Data, NoParameters, stepTasks, at ?? Epoch);

    /// <summary>A prune archives the ended process.</summary>
    protected static ArchiveProcess Archive(string reason = "pruned by an operator") => new(Process, reason);

    /// <summary>The process archived: its stream is about to be removed.</summary>
    protected static ProcessArchived Archived(string reason = "pruned by an operator", DateTimeOffset? at = null) => new(Process, reason, at ?? Epoch);

    /// <summary>An operator pauses the process.</summary>
    protected static PauseProcess Pause(string reason = "paused by an operator") => new(Process, reason);

    /// <summary>The process paused.</summary>
    protected static ProcessPaused Paused(string reason = "paused by an operator", DateTimeOffset? at = null) => new(Process, reason, at ?? Epoch);

    /// <summary>An operator resumes the paused process.</summary>
    protected static ResumeProcess Resume(string reason = "resumed by an operator") => new(Process, reason);

    /// <summary>The process resumed.</summary>
    protected static ProcessResumed Resumed(string reason = "resumed by an operator", DateTimeOffset? at = null) => new(Process, reason, at ?? Epoch);

    /// <summary>
    /// The history of a process that just started: what the aggregate records for <see cref="Start"/> at the epoch (the
    /// process, its first steps and their scheduled tasks). A shortcut for Given when those events are not the point.
    /// </summary>
    protected IProcessEvent[] Begun() => [.. ProcessDecider.Decide(new ProcessState(), Start(), Epoch).Events];
}
