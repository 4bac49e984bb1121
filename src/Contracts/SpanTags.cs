namespace Orchestration.Contracts;

/// <summary>
/// Span attributes both contexts put on their spans of a task, so an operator finds all of one task's spans
/// (dispatch, run, confirmation) by the same names whichever process recorded them.
/// </summary>
public static class SpanTags
{
    public const string Process = "orchestration.process_id";
    public const string Task = "orchestration.task_id";
    public const string Attempt = "orchestration.attempt";
    public const string Step = "orchestration.step";
    public const string Worker = "orchestration.worker";
}
