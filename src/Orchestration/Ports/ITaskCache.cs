using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.Ports;

/// <summary>
/// The memo of confirmed tasks across processes: a task's cache key (<see cref="Runtime.TaskCacheKey"/>) to the result
/// it had. Kept where the events are (the deployment's database, the embedded data directory), never only in memory.
/// </summary>
public interface ITaskCache
{
    /// <summary>The results recorded under <paramref name="keys"/> whose outputs are all still in the blob store; a result whose outputs are gone is never served.</summary>
    Task<IReadOnlyDictionary<string, CachedResult>> FindAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records results; a key already recorded keeps its first result. Returns, for each offered result whose key was
    /// recorded with other outputs (by content), the recorded one: the same work over the same bytes gave another result.
    /// </summary>
    Task<IReadOnlyList<(CachedResult Recorded, CachedResult Offered)>> RecordAsync(IReadOnlyList<(string Key, CachedResult Result)> results, CancellationToken cancellationToken = default);

    /// <summary>Removes every result with an output among <paramref name="blobs"/> (about to be deleted); returns how many were removed.</summary>
    Task<int> DropReferencingAsync(IReadOnlySet<Uri> blobs, CancellationToken cancellationToken = default);
}

/// <summary>What a confirmed task produced, and which task of which process produced it on which worker.</summary>
public sealed record CachedResult(TaskId Task, WorkerId Worker, IReadOnlyList<BlobRef> Outputs, IReadOnlyDictionary<string, string> Metadata, TaskMetrics Metrics)
{
    /// <summary>The same outputs by content (their SHA-256s, in order), wherever they are stored.</summary>
    public bool SameOutputsAs(CachedResult other) => BlobRef.SameContent(Outputs, other.Outputs);
}
