using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Harness;

/// <summary>
/// Spec helpers for processes of one graph (by default <see cref="Sample.SalesGraph"/> over two sales partitions):
/// builders for the events and commands, with the defaults a spec does not care about filled in.
/// A class picks another graph by overriding <see cref="DefaultGraph"/> / <see cref="DefaultData"/>; one spec
/// picks its own with <see cref="Using"/>.
/// </summary>
public abstract class SalesSpec : ProcessSpec
{
    private ProcessGraph? _graph;
    private IReadOnlyDictionary<string, IReadOnlyList<BlobRef>>? _data;

    protected ProcessGraph Graph => _graph ??= DefaultGraph();
    protected IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Data => _data ??= DefaultData();

    protected virtual ProcessGraph DefaultGraph() => SalesGraph();
    protected virtual IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> DefaultData() => SalesData();

    /// <summary>Runs this one spec over another graph and/or data than its class's; call it before <c>Given</c>.</summary>
    protected void Using(ProcessGraph? graph = null, IReadOnlyDictionary<string, IReadOnlyList<BlobRef>>? data = null) =>
        (_graph, _data) = (graph ?? _graph, data ?? _data);

    protected TimeSpan Timeout(string step) => Graph.Step(step).Retry.TaskTimeout;

    /// <summary>How long a task may wait for its worker: the queue timeout, or the task timeout for one named worker.</summary>
    protected TimeSpan QueueWait(string step, string? target) =>
        target is not null && Graph.Step(step).On?.Mode == Orchestration.Graphs.Target.All ? Timeout(step) : Graph.Step(step).Retry.QueueTimeout;

    protected StartProcess Start() => new(Process, Graph, Data, NoParameters);

    protected ProcessStarted Started(DateTimeOffset? at = null) => new(Process, Graph, Data, NoParameters, at ?? Epoch);

    protected StepStarted StepStarted(string step, int tasks, DateTimeOffset? at = null) => new(Process, step, tasks, at ?? Epoch);

    /// <summary>The first attempt of a task, scheduled at <paramref name="at"/> (default: the epoch); it may wait one queue timeout for a worker.</summary>
    protected TaskScheduled Scheduled(string step, int partition, IReadOnlyList<TaskInput> inputs, DateTimeOffset? at = null, string? target = null) =>
        new(Process, Task(step, partition), 1, step, partition, inputs, target, at ?? Epoch, (at ?? Epoch) + QueueWait(step, target));

    /// <summary>A later attempt, sent after <paramref name="delay"/> of backoff.</summary>
    protected TaskScheduled Rescheduled(string step, int partition, int attempt, IReadOnlyList<TaskInput> inputs, DateTimeOffset at, TimeSpan delay, string? target = null) =>
        new(Process, Task(step, partition), attempt, step, partition, inputs, target, at + delay, at + delay + QueueWait(step, target));

    protected RecordTaskStart StartTask(string step, int partition, int attempt = 1, WorkerId? worker = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker);

    /// <summary>An attempt a worker started at <paramref name="at"/> (default: the epoch): due one task timeout later.</summary>
    protected TaskStartRecorded StartRecorded(string step, int partition, DateTimeOffset? at = null, int attempt = 1, WorkerId? worker = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, (at ?? Epoch) + Timeout(step), at ?? Epoch);

    /// <summary>The inputs of the map task over sales partition <paramref name="partition"/>.</summary>
    protected IReadOnlyList<TaskInput> SalesInputs(int partition) =>
        [new("input", Data["sales"][partition]), new("stores", Data["stores"][0])];

    /// <summary>Every blob given under one view name.</summary>
    protected static IReadOnlyList<TaskInput> Inputs(string name, params IEnumerable<BlobRef> blobs) =>
        blobs.Select(b => new TaskInput(name, b)).ToArray();

    protected static BlobRef Output(string step, int partition, int attempt = 1) => Blob($"{step}-{partition}-a{attempt}.parquet", rows: 10);

    protected ConfirmTask Confirm(string step, int partition, int attempt = 1, WorkerId? worker = null, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<BlobRef>? outputs = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, outputs ?? [Output(step, partition, attempt)], metadata ?? NoMetadata, Metrics);

    protected TaskConfirmed Confirmed(string step, int partition, int attempt = 1, WorkerId? worker = null, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<BlobRef>? outputs = null, DateTimeOffset? at = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, outputs ?? [Output(step, partition, attempt)], metadata ?? NoMetadata, Metrics, at ?? Epoch);

    protected FailTask Fail(string step, int partition, string error, bool retryable, int attempt = 1) =>
        new(Process, Task(step, partition), attempt, Worker, error, retryable);

    protected TaskAttemptFailed AttemptFailed(string step, int partition, string error, bool retryable, int attempt = 1, DateTimeOffset? at = null) =>
        new(Process, Task(step, partition), attempt, Worker, error, retryable, at ?? Epoch);

    protected static TryTimeoutTask TryTimeout(string step, int partition, int attempt = 1) => new(Process, Task(step, partition), attempt);

    protected static TaskTimedOut TimedOut(string step, int partition, int attempt, DateTimeOffset deadline, DateTimeOffset at) =>
        new(Process, Task(step, partition), attempt, deadline, at);

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

    protected StepCompleted StepCompleted(string step, int tasks, DateTimeOffset? at = null) => new(Process, step, tasks, at ?? Epoch);

    /// <summary>A step failed and took the process with it, as the aggregate records it.</summary>
    protected static IProcessEvent[] StepAndProcessFailed(string step, string reason, DateTimeOffset? at = null) =>
    [
        new StepFailed(Process, step, reason, at ?? Epoch),
        new ProcessFailed(Process, $"step '{step}' failed: {reason}", at ?? Epoch),
    ];

    protected static ProcessCompleted ProcessCompleted(IReadOnlyList<BlobRef> outputs, DateTimeOffset? at = null) => new(Process, outputs, at ?? Epoch);

    protected static CancelProcess Cancel(string reason = "stopped by an operator") => new(Process, reason);

    protected static ProcessCancelled Cancelled(string reason = "stopped by an operator", DateTimeOffset? at = null) => new(Process, reason, at ?? Epoch);

    /// <summary>The sales process with both map tasks scheduled and running.</summary>
    protected IProcessEvent[] SalesRunning() =>
    [
        Started(), StepStarted("partials", 2),
        Scheduled("partials", 0, SalesInputs(0)), Scheduled("partials", 1, SalesInputs(1)),
    ];

    /// <summary>The sales process with both partials confirmed and the merge task running.</summary>
    protected IProcessEvent[] MergeRunning() =>
    [
        .. SalesRunning(), Confirmed("partials", 0), Confirmed("partials", 1),
        StepCompleted("partials", 2), StepStarted("total", 1), Scheduled("total", 0, MergeInputs()),
    ];

    /// <summary>The sales process, completed with the merge's output.</summary>
    protected IProcessEvent[] SalesCompleted() =>
        [.. MergeRunning(), Confirmed("total", 0), StepCompleted("total", 1), ProcessCompleted([Output("total", 0)])];

    /// <summary>The inputs of the merge task once both partials are confirmed (first attempts).</summary>
    protected IReadOnlyList<TaskInput> MergeInputs() =>
        [new("partials", Output("partials", 0)), new("partials", Output("partials", 1))];
}
