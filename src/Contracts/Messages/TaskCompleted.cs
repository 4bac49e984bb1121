namespace Orchestration.Contracts.Messages;

/// <summary>Event from a worker: an attempt of a task finished and wrote these immutable outputs.</summary>
/// <param name="Metadata">Small facts the process may act on (e.g. <c>partitions=12</c>), never data.</param>
/// <param name="CacheKey">The task's cache key, as its <see cref="RunTask"/> gave it: the result is recorded under it for later tasks.</param>
[WireName("task-completed.v1")]
public sealed record TaskCompleted(
    ProcessId ProcessId,
    TaskId TaskId,
    int Attempt,
    WorkerId Worker,
    IReadOnlyList<BlobRef> Outputs,
    IReadOnlyDictionary<string, string> Metadata,
    TaskMetrics Metrics,
    string? CacheKey = null)
{
    public override string ToString() =>
        $"Task {TaskId} attempt {Attempt} completed on {Worker}: {Outputs.Count} output(s), {Metrics}";
}

/// <summary>What an attempt cost: rows and bytes written, bytes read, and how long it ran.</summary>
/// <param name="BytesWritten">Bytes of the outputs, written to the blob store.</param>
/// <param name="BytesRead">Bytes of input blobs fetched from the blob store.</param>
/// <param name="LocalBytesScanned">
/// Bytes of <see cref="LocalInput"/> files read where they lie, on the worker. Optional (0) so that events stored before
/// local data existed still read back.
/// </param>
public sealed record TaskMetrics(long RowsWritten, long BytesWritten, long BytesRead, TimeSpan Duration, long LocalBytesScanned = 0)
{
    public static readonly TaskMetrics None = new(0, 0, 0, TimeSpan.Zero);

    /// <summary>What crossed the network: blobs fetched plus outputs written.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long BytesMoved => BytesRead + BytesWritten;

    public override string ToString() =>
        $"{RowsWritten:N0} rows, {BytesWritten:N0} bytes written, {BytesRead:N0} bytes read{(LocalBytesScanned > 0 ? $", {LocalBytesScanned:N0} bytes scanned locally" : "")} in {Duration.TotalMilliseconds:N0} ms";
}
