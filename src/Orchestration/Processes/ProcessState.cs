using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;

namespace Orchestration.Processes;

public enum ProcessStatus { NotStarted, Running, Completed, Failed, Cancelled }

/// <summary>
/// The state of one process, folded from its events by <see cref="Evolve"/>.
/// <para>
/// Why it is mutable inside: a process may hold 100,000 tasks, and a command must cost O(1). An immutable
/// copy per event (or a persistent map, O(log n)) would not keep that promise, so <see cref="Evolve"/> updates
/// this instance in place and returns it. Only <see cref="Evolve"/> writes; <c>Decide</c> only reads. Whoever
/// holds a state owns it alone (the process's mailbox), which is what the design asks for anyway.
/// </para>
/// </summary>
public sealed class ProcessState
{
    private readonly Dictionary<string, StepState> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<TaskId, TaskState> _tasks = [];

    public ProcessId Id { get; private set; }
    public ProcessStatus Status { get; private set; }
    public ProcessGraph? Graph { get; private set; }
    public IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Datasets { get; private set; } = new Dictionary<string, IReadOnlyList<BlobRef>>();
    public IReadOnlyDictionary<string, string> Parameters { get; private set; } = new Dictionary<string, string>();
    /// <summary>Why the process failed or was cancelled.</summary>
    public string? EndReason { get; private set; }
    public IReadOnlyList<BlobRef> Outputs { get; private set; } = [];
    /// <summary>How many events were folded: the stream version to append after.</summary>
    public long Version { get; private set; }
    public int CompletedSteps { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }

    public bool HasEnded => Status is ProcessStatus.Completed or ProcessStatus.Failed or ProcessStatus.Cancelled;
    public IReadOnlyCollection<StepState> Steps => _steps.Values;
    public StepState Step(string name) => _steps[name];
    public TaskState? Task(TaskId id) => _tasks.GetValueOrDefault(id);
    public IReadOnlyCollection<TaskState> Tasks => _tasks.Values;

    /// <summary>Folds every event, from an empty state.</summary>
    public static ProcessState From(IEnumerable<IProcessEvent> events) => events.Aggregate(new ProcessState(), Evolve);

    /// <summary>
    /// Applies one event. Never throws on a well-formed stream and never reads the clock; an event that refers
    /// to something the state does not know is ignored, so an old stream can always be replayed.
    /// </summary>
    public static ProcessState Evolve(ProcessState state, IProcessEvent e)
    {
        state.Version++;
        switch (e)
        {
            case ProcessStarted started: state.Start(started); break;
            case StepStarted started when state._steps.TryGetValue(started.Step, out var step): step.Begin(started.Tasks); break;
            case TaskScheduled scheduled: state.Schedule(scheduled); break;
            case TaskConfirmed confirmed when state._tasks.TryGetValue(confirmed.TaskId, out var task): task.Confirm(confirmed); break;
            case TaskRetryScheduled retry when state._tasks.TryGetValue(retry.TaskId, out var task): task.Step.Retries++; break;
            case TaskAttemptFailed or TaskTimedOut: break; // history only; the retry or the failure that follows changes state
            case StepCompleted completed when state._steps.TryGetValue(completed.Step, out var step):
                step.Status = StepStatus.Completed; step.EndedAt = completed.At; state.CompletedSteps++; break;
            case StepFailed failed when state._steps.TryGetValue(failed.Step, out var step):
                step.Status = StepStatus.Failed; step.FailureReason = failed.Reason; step.EndedAt = failed.At; break;
            case ProcessCompleted completed: state.End(ProcessStatus.Completed, null, completed.At); state.Outputs = completed.Outputs; break;
            case ProcessFailed failed: state.End(ProcessStatus.Failed, failed.Reason, failed.At); break;
            case ProcessCancelled cancelled: state.End(ProcessStatus.Cancelled, cancelled.Reason, cancelled.At); break;
        }
        return state;
    }

    private void Start(ProcessStarted e)
    {
        (Id, Status, Graph, Datasets, Parameters, StartedAt) = (e.ProcessId, ProcessStatus.Running, e.Graph, e.Datasets, e.Parameters, e.At);
        foreach (var definition in e.Graph.Steps)
            _steps[definition.Name] = new StepState(definition);
        foreach (var step in _steps.Values)
            foreach (var dependency in step.Definition.DependsOn)
                if (_steps.TryGetValue(dependency, out var upstream)) upstream.Dependents.Add(step);
    }

    private void Schedule(TaskScheduled e)
    {
        if (!_steps.TryGetValue(e.Step, out var step)) return;
        if (_tasks.TryGetValue(e.TaskId, out var task)) task.Reschedule(e);
        else if (e.Partition >= 0 && e.Partition < step.TaskCount) step.Tasks[e.Partition] = _tasks[e.TaskId] = new TaskState(step, e);
    }

    private void End(ProcessStatus status, string? reason, DateTimeOffset at) => (Status, EndReason, EndedAt) = (status, reason, at);
}

public enum StepStatus { Waiting, Running, Completed, Failed }

/// <summary>One step of a process: its tasks by partition and how many are confirmed.</summary>
public sealed class StepState(StepDefinition definition)
{
    public StepDefinition Definition { get; } = definition;
    public string Name => Definition.Name;
    public StepStatus Status { get; internal set; }
    public int TaskCount { get; private set; }
    public int Confirmed { get; internal set; }
    public int Retries { get; internal set; }
    public string? FailureReason { get; internal set; }
    public DateTimeOffset? EndedAt { get; internal set; }
    /// <summary>Tasks by partition; empty until the step starts.</summary>
    public TaskState?[] Tasks { get; private set; } = [];
    internal List<StepState> Dependents { get; } = [];

    internal void Begin(int tasks) => (Status, TaskCount, Tasks) = (StepStatus.Running, tasks, new TaskState?[tasks]);
}

public enum TaskStatus { Scheduled, Confirmed }

/// <summary>One task: its current attempt, and once confirmed, the attempt's outputs and metadata.</summary>
public sealed class TaskState(StepState step, TaskScheduled scheduled)
{
    public StepState Step { get; } = step;
    public TaskId Id { get; } = scheduled.TaskId;
    public int Partition { get; } = scheduled.Partition;
    public string? Target { get; } = scheduled.Target;
    public IReadOnlyList<TaskInput> Inputs { get; } = scheduled.Inputs;
    public int Attempt { get; private set; } = scheduled.Attempt;
    public DateTimeOffset NotBefore { get; private set; } = scheduled.NotBefore;
    public DateTimeOffset Deadline { get; private set; } = scheduled.Deadline;
    public TaskStatus Status { get; private set; }
    public WorkerId? Worker { get; private set; }
    public IReadOnlyList<BlobRef> Outputs { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; private set; } = new Dictionary<string, string>();
    public TaskMetrics? Metrics { get; private set; }

    internal void Reschedule(TaskScheduled e) => (Attempt, NotBefore, Deadline) = (e.Attempt, e.NotBefore, e.Deadline);

    internal void Confirm(TaskConfirmed e)
    {
        if (Status == TaskStatus.Confirmed) return;
        (Status, Worker, Outputs, Metadata, Metrics) = (TaskStatus.Confirmed, e.Worker, e.Outputs, e.Metadata, e.Metrics);
        Step.Confirmed++;
    }
}
