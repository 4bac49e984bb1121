namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// A step that could not produce its output. <see cref="Retryable"/> tells the orchestrator whether another
/// attempt can succeed (out of memory, a disk error) or would fail the same way (bad SQL, a forbidden path).
/// </summary>
public sealed class StepFailure : Exception
{
    public StepFailure(string message, bool retryable, Exception? inner = null) : base(message, inner) => Retryable = retryable;

    public bool Retryable { get; }

    internal static StepFailure Permanent(string message, Exception? inner = null) => new(message, retryable: false, inner);
}
