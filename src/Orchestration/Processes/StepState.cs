using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;

namespace Orchestration.Processes;

/// <summary>Where a step is: waiting for its dependencies (or workers), running, completed, failed, or skipped (its condition did not hold).</summary>
public enum StepStatus { Waiting, Running, Completed, Failed, Skipped }

/// <summary>A task is scheduled (an attempt is open) or confirmed.</summary>
public enum TaskStatus : byte { Scheduled, Confirmed }

/// <summary>
/// One step of a process and its tasks. A task's fields are kept in arrays indexed by partition rather than
/// one object per task: confirming tasks in the order they were scheduled then walks memory in order, which
/// keeps a command's cost flat from a thousand tasks to a hundred thousand.
/// </summary>
public sealed class StepState(StepDefinition definition, ProcessId process)
{
    // No column of task ids: each is process/step/partition (TaskId.For), derived when asked, so a million tasks keep no million strings.
    private int[] _attempts = [];
    private long[] _notBefore = [];
    private long[] _deadlines = [];
    private IReadOnlyList<TaskInput>[] _inputs = [];
    private string?[] _targets = [];
    // Only a fan-out over items has one per task.
    private string?[]? _items;
    private WorkerId?[] _startedOn = [];
    private long[] _startedAt = [];
    // The attempt a speculative copy copies, still running and still counted; null until a copy is made.
    private int[]? _copyOf;
    // When the started attempt's task timeout runs out, counted from its start: heartbeats never move a deadline past it.
    private long[] _caps = [];
    // A retry decided while the process was paused: its attempt number is taken, the attempt is given out on resume.
    private bool[]? _held;
    // The attempt each task had when its process was last retried: the retry budget counts from there. Null until a retry.
    private int[]? _attemptsBeforeRetry;
    // What a confirmation brought, by column rather than the event itself: a million confirmed tasks must not each keep an
    // event with its own copies of the process id, task id and worker name. Equal metadata and worker names are shared.
    private WorkerId?[] _workers = [];
    private IReadOnlyList<BlobRef>[] _outputs = [];
    private IReadOnlyDictionary<string, string>?[] _metadata = [];
    private TaskMetrics?[] _metrics = [];
    private Dictionary<int, TaskId>? _reusedFrom;
    private readonly Dictionary<WorkerId, WorkerId> _workerNames = [];
    private IReadOnlyDictionary<string, string> _lastMetadata = EmptyMetadata;

    public StepDefinition Definition { get; } = definition;
    public string Name => Definition.Name;
    public StepStatus Status { get; internal set; }
    public int TaskCount { get; private set; }
    public int Confirmed { get; private set; }
    /// <summary>Tasks given a first attempt; below <see cref="TaskCount"/> while a concurrency limit holds the rest back.</summary>
    public int Scheduled { get; private set; }
    public int Retries { get; internal set; }
    /// <summary>Why the step is known to be non-deterministic (two results for the same work over the same bytes); null if it is not.</summary>
    public string? NondeterministicBecause { get; internal set; }
    /// <summary>Why the step failed, or why it was skipped.</summary>
    public string? FailureReason { get; internal set; }
    public DateTimeOffset? EndedAt { get; internal set; }
    /// <summary>When the step became ready to be placed on labeled workers; null if it never waited for placement.</summary>
    public DateTimeOffset? AwaitingSince { get; internal set; }
    public bool IsAwaitingWorkers => Status == StepStatus.Waiting && AwaitingSince is not null;

    /// <summary>The step's tasks in partition order (all of them once the step's batch is folded).</summary>
    public IEnumerable<TaskState> ScheduledTasks
    {
        get
        {
            for (var p = 0; p < TaskCount; p++)
                if (IsScheduled(p)) yield return new TaskState(this, p);
        }
    }

    public TaskState Task(int partition) => new(this, partition);

    internal bool IsScheduled(int partition) => (uint)partition < (uint)TaskCount && _attempts[partition] > 0;

    internal void Begin(int tasks)
    {
        (Status, TaskCount, Scheduled) = (StepStatus.Running, tasks, 0);
        _attempts = new int[tasks];
        _notBefore = new long[tasks];
        _deadlines = new long[tasks];
        _inputs = new IReadOnlyList<TaskInput>[tasks];
        _targets = new string?[tasks];
        _items = Definition.Fanout is OnePerItem ? new string?[tasks] : null;
        _startedOn = new WorkerId?[tasks];
        _startedAt = new long[tasks];
        _copyOf = null;
        _caps = new long[tasks];
        _workers = new WorkerId?[tasks];
        _outputs = new IReadOnlyList<BlobRef>[tasks];
        _metadata = new IReadOnlyDictionary<string, string>?[tasks];
        _metrics = new TaskMetrics?[tasks];
        _reusedFrom = null;
    }

    internal void Schedule(TaskScheduled e)
    {
        var p = e.Partition;
        if ((uint)p >= (uint)TaskCount) return;
        if (_attempts[p] == 0)
        {
            Scheduled++;
            _targets[p] = e.Target;
            if (_items is not null) _items[p] = e.Item;
        }
        _inputs[p] = e.Inputs.Count == 0 ? [] : e.Inputs; // the same every attempt, unless a retry replaced a blob it reads
        if (e.CopyOf is not null || _copyOf is not null) (_copyOf ??= new int[TaskCount])[p] = e.CopyOf ?? 0;
        (_attempts[p], _notBefore[p], _deadlines[p], _startedOn[p], _caps[p]) = (e.Attempt, e.NotBefore.UtcTicks, e.Deadline.UtcTicks, null, 0);
        if (_held is not null) _held[p] = false;
    }

    /// <summary>
    /// A retry is decided: its attempt number is the task's from now on, so a late report of the attempt before is dropped.
    /// The <see cref="TaskScheduled"/> that follows gives it out; while the process is paused none follows, and it is held.
    /// </summary>
    internal void RetryDecided(int p, int attempt)
    {
        Retries++;
        if (_attempts[p] >= attempt) return;
        (_attempts[p], _startedOn[p], _caps[p]) = (attempt, null, 0);
        (_held ??= new bool[TaskCount])[p] = true;
    }

    /// <summary>The process was retried: each task's retry budget counts again from its attempt now.</summary>
    internal void BudgetAgain()
    {
        _attemptsBeforeRetry = (int[])_attempts.Clone();
        if (Status == StepStatus.Failed) (Status, FailureReason, EndedAt) = (TaskCount > 0 ? StepStatus.Running : StepStatus.Waiting, null, null);
        if (Status == StepStatus.Waiting) AwaitingSince = null;
    }

    internal void Started(int p, TaskStartRecorded e)
    {
        if (_attempts[p] != e.Attempt) return;
        (_startedOn[p], _deadlines[p], _caps[p], _startedAt[p]) = (e.Worker, e.Deadline.UtcTicks, (e.At + Definition.Retry.TaskTimeout).UtcTicks, e.At.UtcTicks);
    }

    /// <summary>An attempt failed: if it was the one a copy copies, the copy runs on alone.</summary>
    internal void AttemptFailed(int p, int attempt)
    {
        if (_copyOf is not null && _copyOf[p] == attempt) _copyOf[p] = 0;
    }

    internal void MoveDeadline(int p, int attempt, DateTimeOffset deadline, DateTimeOffset? cap)
    {
        if (_attempts[p] != attempt) return;
        _deadlines[p] = deadline.UtcTicks;
        if (cap is { } moved) _caps[p] = moved.UtcTicks;
    }

    internal void Confirm(int p, TaskConfirmed e)
    {
        if (_metadata[p] is not null) return; // set at the confirmation, never null after it
        if (!_workerNames.TryGetValue(e.Worker, out var worker)) _workerNames[e.Worker] = worker = e.Worker;
        _workers[p] = worker;
        _outputs[p] = e.Outputs.Count == 0 ? [] : e.Outputs;
        _metadata[p] = Shared(e.Metadata);
        _metrics[p] = e.Metrics;
        if (e.ReusedFrom is { } source) (_reusedFrom ??= [])[p] = source;
        Confirmed++;
    }

    internal TaskId IdOf(int p) => TaskId.For(process, Name, p);
    internal int AttemptOf(int p) => _attempts[p];
    internal TaskStatus StatusOf(int p) => _metadata[p] is null ? TaskStatus.Scheduled : TaskStatus.Confirmed;
    internal DateTimeOffset NotBeforeOf(int p) => new(_notBefore[p], TimeSpan.Zero);
    internal DateTimeOffset DeadlineOf(int p) => new(_deadlines[p], TimeSpan.Zero);
    internal IReadOnlyList<TaskInput> InputsOf(int p) => _inputs[p];
    internal string? TargetOf(int p) => _targets[p];
    internal string? ItemOf(int p) => _items?[p];
    internal WorkerId? WorkerOf(int p) => _workers[p];
    internal WorkerId? StartedOnOf(int p) => _startedOn[p];
    internal bool IsHeld(int p) => _held?[p] ?? false;
    internal DateTimeOffset? StartedAtOf(int p) => _startedOn[p] is null ? null : new DateTimeOffset(_startedAt[p], TimeSpan.Zero);
    internal int? CopyOfOf(int p) => _copyOf is { } copies && copies[p] > 0 ? copies[p] : null;
    internal int AttemptsThisRunOf(int p) => _attempts[p] - (_attemptsBeforeRetry?[p] ?? 0);
    internal DateTimeOffset? CapOf(int p) => _caps[p] == 0 ? null : new DateTimeOffset(_caps[p], TimeSpan.Zero);
    internal IReadOnlyList<BlobRef> OutputsOf(int p) => _outputs[p] ?? [];
    internal IReadOnlyDictionary<string, string> MetadataOf(int p) => _metadata[p] ?? EmptyMetadata;
    internal TaskMetrics? MetricsOf(int p) => _metrics[p];
    internal TaskId? ReusedFromOf(int p) => _reusedFrom is { } reused && reused.TryGetValue(p, out var source) ? source : null;

    /// <summary>The metadata of the task confirmed before, when it says the same (as no-op and listing tasks' often do).</summary>
    private IReadOnlyDictionary<string, string> Shared(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == _lastMetadata.Count && metadata.All(pair => _lastMetadata.TryGetValue(pair.Key, out var value) && value == pair.Value)) return _lastMetadata;
        return _lastMetadata = metadata;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}

/// <summary>A view of one task of a step: its current attempt, and once confirmed, the attempt's outputs and metadata.</summary>
public readonly record struct TaskState(StepState Step, int Partition)
{
    public TaskId Id => Step.IdOf(Partition);
    public int Attempt => Step.AttemptOf(Partition);
    public TaskStatus Status => Step.StatusOf(Partition);
    public DateTimeOffset NotBefore => Step.NotBeforeOf(Partition);
    public DateTimeOffset Deadline => Step.DeadlineOf(Partition);
    public IReadOnlyList<TaskInput> Inputs => Step.InputsOf(Partition);
    public string? Target => Step.TargetOf(Partition);
    /// <summary>The item of a fan-out over items that this task runs for; null for other fan-outs.</summary>
    public string? Item => Step.ItemOf(Partition);
    /// <summary>The task is meant for one named worker (<see cref="Target"/>): its step is placed on all matching workers.</summary>
    public bool IsForOneWorker => Target is not null && Step.Definition.On?.Mode == Graphs.Target.All;
    public WorkerId? Worker => Step.WorkerOf(Partition);
    /// <summary>When the started attempt's task timeout runs out (its start plus the timeout); null before it started.</summary>
    public DateTimeOffset? Cap => Step.CapOf(Partition);
    /// <summary>The worker that started the current attempt; null while the attempt waits in its queue.</summary>
    public WorkerId? StartedOn => Step.StartedOnOf(Partition);
    /// <summary>When the current attempt's start was recorded; null before it started.</summary>
    public DateTimeOffset? StartedAt => Step.StartedAtOf(Partition);
    /// <summary>The current attempt is a speculative copy of this one, which runs on and counts too; null otherwise.</summary>
    public int? CopyOf => Step.CopyOfOf(Partition);
    /// <summary>Its next attempt was decided while the process was paused and is given out when it resumes.</summary>
    public bool IsHeld => Step.IsHeld(Partition);
    /// <summary>Attempts since the process was last retried (all of them if it never was): what the retry limit counts.</summary>
    public int AttemptsThisRun => Step.AttemptsThisRunOf(Partition);
    public IReadOnlyList<BlobRef> Outputs => Step.OutputsOf(Partition);
    public IReadOnlyDictionary<string, string> Metadata => Step.MetadataOf(Partition);
    public TaskMetrics? Metrics => Step.MetricsOf(Partition);
    /// <summary>The task whose recorded result confirmed this one (memoized); null when a worker ran it.</summary>
    public TaskId? ReusedFrom => Step.ReusedFromOf(Partition);
}
