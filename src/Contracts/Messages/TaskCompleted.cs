namespace Orchestration.Contracts.Messages;

/// <summary>Event from a worker: an attempt of a task finished and wrote these immutable outputs.</summary>
/// <param name="Metadata">Small facts the process may act on (e.g. <c>partitions=12</c>), never data.</param>
[WireName("task-completed.v1")]
public sealed record TaskCompleted(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    WorkerId Worker,
    IReadOnlyList<BlobRef> Outputs,
    IReadOnlyDictionary<string, string> Metadata,
    TaskMetrics Metrics)
{
    public override string ToString() =>
        $"Task {TaskId} attempt {Attempt} completed on {Worker}: {Outputs.Count} output(s), {Metrics}";
}

/// <summary>What an attempt cost: rows and bytes written, bytes read, and how long it ran.</summary>
public sealed record TaskMetrics(long RowsWritten, long BytesWritten, long BytesRead, TimeSpan Duration)
{
    public static readonly TaskMetrics None = new(0, 0, 0, TimeSpan.Zero);
    public override string ToString() => $"{RowsWritten:N0} rows, {BytesWritten:N0} bytes written, {BytesRead:N0} bytes read in {Duration.TotalMilliseconds:N0} ms";
}
