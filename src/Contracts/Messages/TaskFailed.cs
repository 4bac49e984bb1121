namespace Orchestration.Contracts.Messages;

/// <summary>
/// Event from a worker: an attempt of a task failed. <paramref name="Retryable"/> says whether another attempt
/// could succeed (a lost connection) or not (invalid SQL, a sandbox violation, a corrupt input).
/// </summary>
[WireName("task-failed.v1")]
public sealed record TaskFailed(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    WorkerId Worker,
    string Error,
    bool Retryable,
    bool TimedOut = false)
{
    public override string ToString() =>
        $"Task {TaskId} attempt {Attempt} failed on {Worker} ({(Retryable ? "retryable" : "not retryable")}): {Error}";
}
