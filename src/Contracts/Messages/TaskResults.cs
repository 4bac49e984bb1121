namespace Orchestration.Contracts.Messages;

/// <summary>
/// Event from a worker: several attempts ended, reported in one message. A worker sends a result at once when no send of
/// its own is in flight, and gathers those that end meanwhile into the next message, so under load one message carries
/// many results (one receive, one deserialisation and one acknowledgement on the orchestrator, instead of one each) and
/// an idle worker's result waits for nothing.
/// </summary>
[WireName("task-results.v1")]
public sealed record TaskResults(IReadOnlyList<ReportedOutcome> Outcomes);

/// <summary>
/// One attempt's end, as <see cref="TaskResults"/> carries it: exactly one of <see cref="Completed"/> and
/// <see cref="Failed"/>, and the W3C trace parent of the attempt's consume span, so the orchestrator's confirmation
/// continues the task's trace although the message that carried it belongs to none.
/// </summary>
public sealed record ReportedOutcome(TaskCompleted? Completed, TaskFailed? Failed, string? TraceParent = null);
