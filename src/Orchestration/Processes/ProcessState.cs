using Orchestration.Contracts;
using Orchestration.Graphs;

namespace Orchestration.Processes;

/// <summary>Where a process is; completed, failed and cancelled are ends (a failed or cancelled one may be retried), paused is not.</summary>
public enum ProcessStatus { NotStarted, Running, Completed, Failed, Cancelled, Paused }

/// <summary>
/// The state of one process, folded from its events by <see cref="Evolve"/>.
/// <para>
/// Why it is mutable inside: a process may hold 100,000 tasks, and a command must cost O(1). An immutable
/// copy per event (or a persistent map, O(log n)) would not keep that promise, so <see cref="Evolve"/> updates
/// this instance in place and returns it. Only <see cref="Evolve"/> writes; <c>Decide</c> only reads. Whoever
/// holds a state owns it alone (the process's mailbox), which is what the design asks for anyway.
/// Tasks live in per-step arrays indexed by partition (see <see cref="StepState"/>), found from their
/// deterministic ids without a hash table, so a large process stays cheap to touch.
/// </para>
/// </summary>
public sealed class ProcessState
{
    private readonly Dictionary<string, StepState> _steps = new(StringComparer.Ordinal);
    private Dictionary<string, StepState>.AlternateLookup<ReadOnlySpan<char>> _stepsBySpan;

    public ProcessState() => _stepsBySpan = _steps.GetAlternateLookup<ReadOnlySpan<char>>();

    public ProcessId Id { get; private set; }
    public ProcessStatus Status { get; private set; }
    public ProcessGraph? Graph { get; private set; }
    public IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Datasets { get; private set; } = new Dictionary<string, IReadOnlyList<BlobRef>>();
    public IReadOnlyDictionary<string, string> Parameters { get; private set; } = new Dictionary<string, string>();
    public int Priority { get; private set; }
    /// <summary>Why the process failed or was cancelled.</summary>
    public string? EndReason { get; private set; }
    public IReadOnlyList<BlobRef> Outputs { get; private set; } = [];
    /// <summary>Why the process is paused, while it is.</summary>
    public string? PausedBecause { get; private set; }
    /// <summary>Why the process was archived (pruned), once it was: it then takes no command, and its stream is about to be removed.</summary>
    public string? ArchivedBecause { get; private set; }
    public bool IsArchived => ArchivedBecause is not null;
    /// <summary>How many events were folded: the stream version to append after.</summary>
    public long Version { get; private set; }
    /// <summary>Steps done with: completed or skipped (the process completes once every step is).</summary>
    public int CompletedSteps { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }

    public bool HasEnded => Status is ProcessStatus.Completed or ProcessStatus.Failed or ProcessStatus.Cancelled;
    public IReadOnlyCollection<StepState> Steps => _steps.Values;
    public StepState Step(string name) => _steps[name];

    /// <summary>Every scheduled task, step by step in partition order.</summary>
    public IEnumerable<TaskState> Tasks => _steps.Values.SelectMany(s => s.ScheduledTasks);

    /// <summary>
    /// The task with this id, or null. Ids are <c>process/step/partition</c>, so the step and the slot are read
    /// from the id itself; the id must also name this process.
    /// </summary>
    public TaskState? Task(TaskId id)
    {
        var text = id.Value.AsSpan();
        var last = text.LastIndexOf('/');
        if (last <= 0 || !int.TryParse(text[(last + 1)..], System.Globalization.NumberStyles.None, null, out var partition)) return null;
        var head = text[..last];
        var middle = head.LastIndexOf('/');
        if (middle <= 0 || !head[..middle].SequenceEqual(Id.Value) || !_stepsBySpan.TryGetValue(head[(middle + 1)..], out var step)) return null;
        return step.IsScheduled(partition) ? new TaskState(step, partition) : null;
    }

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
            case StepAwaitingWorkers awaiting when state._steps.TryGetValue(awaiting.Step, out var step): step.AwaitingSince = awaiting.At; break;
            case TaskScheduled scheduled when state._steps.TryGetValue(scheduled.Step, out var step): step.Schedule(scheduled); break;
            case TaskConfirmed confirmed when state.Task(confirmed.TaskId) is { } task: task.Step.Confirm(task.Partition, confirmed); break;
            case TaskRetryScheduled retry when state.Task(retry.TaskId) is { } task: task.Step.RetryDecided(task.Partition, retry.Attempt); break;
            case TaskStartRecorded start when state.Task(start.TaskId) is { } task: task.Step.Started(task.Partition, start); break;
            case TaskHeartbeatRecorded beat when state.Task(beat.TaskId) is { } task: task.Step.MoveDeadline(task.Partition, beat.Attempt, beat.Deadline, beat.Cap); break;
            case TaskAttemptFailed failed when state.Task(failed.TaskId) is { } task: task.Step.AttemptFailed(task.Partition, failed.Attempt); break;
            case TaskAttemptFailed or TaskTimedOut or StragglerCopied: break; // history only; the retry, the failure or the copy that follows changes state
            case StepCompleted completed when state._steps.TryGetValue(completed.Step, out var step):
                step.Status = StepStatus.Completed; step.EndedAt = completed.At; state.CompletedSteps++; break;
            case StepSkipped skipped when state._steps.TryGetValue(skipped.Step, out var step):
                step.Status = StepStatus.Skipped; step.FailureReason = skipped.Reason; step.EndedAt = skipped.At; state.CompletedSteps++; break;
            case StepFailed failed when state._steps.TryGetValue(failed.Step, out var step):
                step.Status = StepStatus.Failed; step.FailureReason = failed.Reason; step.EndedAt = failed.At; break;
            case ProcessCompleted completed: state.End(ProcessStatus.Completed, null, completed.At); state.Outputs = completed.Outputs; break;
            case ProcessFailed failed: state.End(ProcessStatus.Failed, failed.Reason, failed.At); break;
            case ProcessCancelled cancelled: state.End(ProcessStatus.Cancelled, cancelled.Reason, cancelled.At); break;
            case ProcessRetried retried:
                (state.Status, state.EndReason, state.EndedAt, state.Datasets) = (ProcessStatus.Running, null, null, retried.Datasets);
                foreach (var step in state._steps.Values) step.BudgetAgain();
                break;
            case StepNondeterministic flagged when state._steps.TryGetValue(flagged.Step, out var step):
                step.NondeterministicBecause = $"task {flagged.TaskId} {flagged.Detail}"; break;
            case ProcessArchived archived: state.ArchivedBecause = archived.Reason; break;
            case ProcessPaused paused: state.Status = ProcessStatus.Paused; state.PausedBecause = paused.Reason; break;
            case ProcessResumed: state.Status = ProcessStatus.Running; state.PausedBecause = null; break;
        }
        return state;
    }

    private void Start(ProcessStarted e)
    {
        (Id, Status, Graph, Datasets, Parameters, StartedAt, Priority) = (e.ProcessId, ProcessStatus.Running, e.Graph, e.Datasets, e.Parameters, e.At, e.Priority);
        foreach (var definition in e.Graph.Steps)
            _steps[definition.Name] = new StepState(definition, e.ProcessId);
    }

    private void End(ProcessStatus status, string? reason, DateTimeOffset at) => (Status, EndReason, EndedAt) = (status, reason, at);
}
