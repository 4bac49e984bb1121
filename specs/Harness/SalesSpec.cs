using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Harness;

/// <summary>
/// Spec helpers for processes of one graph (by default <see cref="Sample.SalesGraph"/> over two sales partitions):
/// builders for the events and commands, with the defaults a spec does not care about filled in.
/// </summary>
public abstract class SalesSpec : ProcessSpec
{
    protected virtual ProcessGraph Graph => SalesGraph();
    protected virtual IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Data => SalesData();

    protected TimeSpan Timeout(string step) => Graph.Step(step).Retry.TaskTimeout;

    protected StartProcess Start() => new(Process, Graph, Data, NoParameters);

    protected ProcessStarted Started(DateTimeOffset? at = null) => new(Process, Graph, Data, NoParameters, at ?? Epoch);

    protected StepStarted StepStarted(string step, int tasks, DateTimeOffset? at = null) => new(Process, step, tasks, at ?? Epoch);

    /// <summary>The first attempt of a task, scheduled at <paramref name="at"/> (default: the epoch).</summary>
    protected TaskScheduled Scheduled(string step, int partition, IReadOnlyList<TaskInput> inputs, DateTimeOffset? at = null) =>
        new(Process, Task(step, partition), 1, step, partition, inputs, null, at ?? Epoch, (at ?? Epoch) + Timeout(step));

    /// <summary>A later attempt, sent after <paramref name="delay"/> of backoff.</summary>
    protected TaskScheduled Rescheduled(string step, int partition, int attempt, IReadOnlyList<TaskInput> inputs, DateTimeOffset at, TimeSpan delay) =>
        new(Process, Task(step, partition), attempt, step, partition, inputs, null, at + delay, at + delay + Timeout(step));

    /// <summary>The inputs of the map task over sales partition <paramref name="partition"/>.</summary>
    protected IReadOnlyList<TaskInput> SalesInputs(int partition) =>
        [new("input", Data["sales"][partition]), new("stores", Data["stores"][0])];

    protected static BlobRef Output(string step, int partition, int attempt = 1) => Blob($"{step}-{partition}-a{attempt}.parquet", rows: 10);

    protected ConfirmTask Confirm(string step, int partition, int attempt = 1, WorkerId? worker = null, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<BlobRef>? outputs = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, outputs ?? [Output(step, partition, attempt)], metadata ?? NoMetadata, Metrics);

    protected TaskConfirmed Confirmed(string step, int partition, int attempt = 1, WorkerId? worker = null, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<BlobRef>? outputs = null, DateTimeOffset? at = null) =>
        new(Process, Task(step, partition), attempt, worker ?? Worker, outputs ?? [Output(step, partition, attempt)], metadata ?? NoMetadata, Metrics, at ?? Epoch);

    protected FailTask Fail(string step, int partition, string error, bool retryable, int attempt = 1) =>
        new(Process, Task(step, partition), attempt, Worker, error, retryable);

    protected TaskAttemptFailed AttemptFailed(string step, int partition, string error, bool retryable, int attempt = 1, DateTimeOffset? at = null) =>
        new(Process, Task(step, partition), attempt, Worker, error, retryable, at ?? Epoch);

    protected StepCompleted StepCompleted(string step, int tasks, DateTimeOffset? at = null) => new(Process, step, tasks, at ?? Epoch);

    /// <summary>The sales process with both map tasks scheduled and running.</summary>
    protected IProcessEvent[] SalesRunning() =>
    [
        Started(), StepStarted("partials", 2),
        Scheduled("partials", 0, SalesInputs(0)), Scheduled("partials", 1, SalesInputs(1)),
    ];

    /// <summary>The inputs of the merge task once both partials are confirmed (first attempts).</summary>
    protected IReadOnlyList<TaskInput> MergeInputs() =>
        [new("partials", Output("partials", 0)), new("partials", Output("partials", 1))];
}
