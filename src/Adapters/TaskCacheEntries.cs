using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;

namespace Orchestration.Adapters;

/// <summary>The one rule both task caches serve by: a result whose outputs are not all still in the blob store is a miss.</summary>
internal static class TaskCacheEntries
{
    public static async Task<IReadOnlyDictionary<string, CachedResult>> StillPresentAsync(Dictionary<string, CachedResult> found, IBlobStore blobs, CancellationToken cancellationToken)
    {
        foreach (var (key, result) in found.ToList())
            foreach (var output in result.Outputs)
                if (!await blobs.HoldsAsync(output, cancellationToken)) { found.Remove(key); break; }
        return found;
    }
}
