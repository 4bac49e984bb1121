namespace Orchestration.Processes;

/// <summary>
/// What the aggregate decided: the new events, or why it changed nothing. A dropped duplicate is a normal
/// outcome in an at-least-once world, not an error; the runtime counts it.
/// </summary>
public sealed record Decision(IReadOnlyList<IProcessEvent> Events, Dropped? Dropped)
{
    public static Decision Of(IReadOnlyList<IProcessEvent> events) => new(events, null);
    public static Decision Drop(DropKind kind, string detail) => new([], new Dropped(kind, detail));

    public override string ToString() => Dropped is { } d ? $"dropped: {d}" : $"{Events.Count} event(s)";
}

/// <summary>Why a command changed nothing (a duplicate, a late attempt, ...), counted rather than refused.</summary>
public sealed record Dropped(DropKind Kind, string Detail)
{
    /// <summary>True when a message arrived that had already been acted on (counted as a duplicate).</summary>
    public bool IsDuplicate => Kind is DropKind.DuplicateConfirmation or DropKind.LateAttempt or DropKind.ProcessEnded;
    public override string ToString() => $"{Kind}: {Detail}";
}

/// <summary>The kinds of command the aggregate drops without an error.</summary>
public enum DropKind
{
    /// <summary>The task was already confirmed.</summary>
    DuplicateConfirmation,
    /// <summary>The result is for an older attempt than the current one.</summary>
    LateAttempt,
    /// <summary>The process has completed, failed or been cancelled.</summary>
    ProcessEnded,
    /// <summary>A timeout arrived for a task that was confirmed, retried or ended in the meantime.</summary>
    StaleTimeout,
    /// <summary>A timeout arrived before the attempt's deadline (it was extended).</summary>
    NotYetDue,
    /// <summary>The task's step already failed, so its results no longer matter.</summary>
    StepEnded,
    /// <summary>A start of an attempt that is no longer running (confirmed, retried, or its process ended).</summary>
    StaleStart,
    /// <summary>A second report that the same worker started the same attempt (a duplicate message).</summary>
    DuplicateStart,
    /// <summary>A heartbeat for an attempt that is no longer running (confirmed, retried, or its process ended).</summary>
    StaleHeartbeat,
    /// <summary>A heartbeat that would move the deadline by less than half the heartbeat timeout: not worth an event.</summary>
    HeartbeatNotNeeded,
    /// <summary>A placement for a step that is not awaiting workers (already placed, failed, or its process ended).</summary>
    StepNotAwaitingWorkers,
    /// <summary>No live worker matches the step's selector yet, and the step may still wait for one.</summary>
    NoMatchingWorkerYet,
    /// <summary>The process is paused: what the command asks for happens once it resumes.</summary>
    ProcessPaused,
    /// <summary>The step was already flagged as non-deterministic.</summary>
    AlreadyFlagged,
    /// <summary>A review of a step's stragglers found none to copy (or the step does not speculate, or is not far enough along).</summary>
    NoStragglers,
}

/// <summary>A command the aggregate refuses, with a stable name for specs and callers, and a message for people.</summary>
public sealed class DomainError(string name, string message) : Exception(message)
{
    public string Name { get; } = name;

    public static DomainError Named(string name, string message) => new(name, message);
}
