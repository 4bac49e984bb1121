using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Concurrency;
using Orchestration.Ports;

namespace Orchestration.Adapters;

/// <summary>The one rule both task caches serve by: a result whose outputs are not all still in the blob store is a miss.</summary>
internal static class TaskCacheEntries
{
    /// <summary>How many blob or cache-entry look-ups of one batch are made at once.</summary>
    public const int ParallelLookUps = 16;

    public static async Task<IReadOnlyDictionary<string, CachedResult>> StillPresentAsync(IDictionary<string, CachedResult> found, IBlobStore blobs, CancellationToken cancellationToken)
    {
        // One look-up per output, several at once: a batch of 100 entries is 100 round trips to blob storage.
        var gone = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Bounded.ForEachAsync(ParallelLookUps, found.SelectMany(entry => entry.Value.Outputs.Select(output => (entry.Key, Output: output))), cancellationToken,
            async (check, token) =>
            {
                if (!gone.ContainsKey(check.Key) && !await blobs.HoldsAsync(check.Output, token)) gone[check.Key] = true;
            });
        foreach (var key in gone.Keys) found.Remove(key);
        return found.AsReadOnly();
    }
}
