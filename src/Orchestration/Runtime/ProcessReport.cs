using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>A process at a glance: what <c>orch status</c> and the dashboard's process list show.</summary>
public sealed record ProcessProgress(
    string Id,
    string Graph,
    int GraphVersion,
    ProcessStatus Status,
    int CompletedSteps,
    int Steps,
    int ConfirmedTasks,
    int Tasks,
    int Retries,
    int FailedAttempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Reason)
{
    public static ProcessProgress Of(ProcessState p, int failedAttempts = 0) =>
        new(p.Id.Value, p.Graph?.Name ?? "?", p.Graph?.Version ?? 0, p.Status, p.CompletedSteps, p.Steps.Count,
            p.Steps.Sum(s => s.Confirmed), p.Steps.Sum(s => s.TaskCount), p.Steps.Sum(s => s.Retries), failedAttempts,
            p.StartedAt, p.EndedAt, p.EndReason);

    /// <summary>
    /// The progress after one more event of the process's stream, folded from counts alone (no per-task state): what the
    /// process list projects. Null until the stream's <see cref="ProcessStarted"/>, and for streams of other kinds. The
    /// aggregate records each fact once (a confirmation, a retry), so counting events gives what <see cref="Of"/> gives.
    /// </summary>
    public static ProcessProgress? Fold(ProcessProgress? p, IProcessEvent e) => e switch
    {
        ProcessStarted s => new(s.ProcessId.Value, s.Graph.Name, s.Graph.Version, ProcessStatus.Running, 0, s.Graph.Steps.Count, 0, 0, 0, 0, s.At, null, null),
        _ when p is null => null,
        StepStarted s => p with { Tasks = p.Tasks + s.Tasks },
        TaskConfirmed => p with { ConfirmedTasks = p.ConfirmedTasks + 1 },
        TaskRetryScheduled => p with { Retries = p.Retries + 1 },
        TaskAttemptFailed or TaskTimedOut => p with { FailedAttempts = p.FailedAttempts + 1 },
        StepCompleted or StepSkipped => p with { CompletedSteps = p.CompletedSteps + 1 },
        ProcessCompleted c => p with { Status = ProcessStatus.Completed, EndedAt = c.At },
        ProcessFailed f => p with { Status = ProcessStatus.Failed, EndedAt = f.At, Reason = f.Reason },
        ProcessCancelled c => p with { Status = ProcessStatus.Cancelled, EndedAt = c.At, Reason = c.Reason },
        ProcessRetried => p with { Status = ProcessStatus.Running, EndedAt = null, Reason = null },
        ProcessPaused paused => p with { Status = ProcessStatus.Paused, Reason = paused.Reason },
        ProcessResumed => p with { Status = ProcessStatus.Running, Reason = null },
        _ => p,
    };
}

/// <summary>One step's progress: tasks confirmed of all, still running, retried, and the attempts that failed and why.</summary>
public sealed record StepProgress(
    string Name,
    StepStatus Status,
    int Confirmed,
    int Tasks,
    int Running,
    int Retries,
    int FailedAttempts,
    IReadOnlyList<string> Failures,
    string? FailureReason,
    Graphs.StepShape Shape = default,
    IReadOnlyList<string>? DependsOn = null,
    int Reused = 0)
{
    /// <summary>The latest failure reasons a step keeps for display: enough to see why, bounded for a step of 100,000 tasks.</summary>
    public const int KeptFailures = 5;

    public static StepProgress Of(StepState step, int failedAttempts = 0, IReadOnlyList<string>? failures = null) => new(
        step.Name, step.Status, step.Confirmed, step.TaskCount,
        step.Status == StepStatus.Running ? step.TaskCount - step.Confirmed : 0,
        step.Retries, failedAttempts, failures ?? [], step.FailureReason, step.Definition.Shape, step.Definition.DependsOn,
        step.ScheduledTasks.Count(t => t.ReusedFrom is not null));
}

/// <summary>
/// A process as operators see it: its state folded from the stream, plus what the state does not keep because the
/// aggregate needs it not (each step's failed and timed-out attempts and their reasons). Fold events in stream order
/// with <see cref="Apply"/>; a report kept between reads only needs the events after its <see cref="Version"/>.
/// </summary>
public sealed class ProcessReport
{
    private readonly Dictionary<string, (int Count, Queue<string> Latest)> _failures = new(StringComparer.Ordinal);

    public ProcessState State { get; } = new();
    public long Version => State.Version;

    public ProcessReport Apply(IProcessEvent e)
    {
        ProcessState.Evolve(State, e);
        switch (e)
        {
            case TaskAttemptFailed failed: Failed(failed.TaskId, $"{failed.TaskId} attempt {failed.Attempt} on {failed.Worker}: {failed.Error}"); break;
            case TaskTimedOut timedOut: Failed(timedOut.TaskId, $"{timedOut.TaskId} attempt {timedOut.Attempt} timed out"); break;
        }
        return this;
    }

    public IReadOnlyList<StepProgress> Steps() =>
        State.Steps.Select(s => _failures.TryGetValue(s.Name, out var f) ? StepProgress.Of(s, f.Count, f.Latest.ToList()) : StepProgress.Of(s)).ToList();

    public ProcessProgress Progress() => ProcessProgress.Of(State, _failures.Values.Sum(f => f.Count));

    private void Failed(Contracts.TaskId task, string reason)
    {
        if (State.Task(task) is not { } known) return;
        var step = known.Step.Name;
        var (count, latest) = _failures.TryGetValue(step, out var f) ? f : (0, new Queue<string>());
        latest.Enqueue(reason);
        if (latest.Count > StepProgress.KeptFailures) latest.Dequeue();
        _failures[step] = (count + 1, latest);
    }
}
