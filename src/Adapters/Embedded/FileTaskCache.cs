using System.Text.Json;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Storage;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// The embedded engine's task cache: one small JSON file per key under the data directory (<c>cache/ab/abcd….json</c>),
/// written once (a key recorded first keeps its result), so it survives restarts and holds as many entries as the disk
/// does. A result is served only while every one of its outputs is still in the blob store.
/// </summary>
public sealed class FileTaskCache(string directory, IBlobStore blobs) : ITaskCache
{
    public async Task<IReadOnlyDictionary<string, CachedResult>> FindAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, CachedResult>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var path = PathOf(key);
            if (!File.Exists(path)) continue;
            try
            {
                await using var file = File.OpenRead(path);
                if (await JsonSerializer.DeserializeAsync<CachedResult>(file, EventSerializer.Options, cancellationToken) is { } result) found[key] = result;
            }
            catch (Exception error) when (error is JsonException or IOException)
            {
                // A damaged entry is a miss: the task runs, and its result cannot replace the entry (written once), so it is removed.
                File.Delete(path);
            }
        }
        return await TaskCacheEntries.StillPresentAsync(found, blobs, cancellationToken);
    }

    public async Task RecordAsync(IReadOnlyList<(string Key, CachedResult Result)> results, CancellationToken cancellationToken = default)
    {
        foreach (var (key, result) in results)
        {
            var path = PathOf(key);
            if (File.Exists(path)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(result, EventSerializer.Options), cancellationToken);
            try { File.Move(temporary, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { File.Delete(temporary); } // recorded meanwhile: the first stays
        }
    }

    // Keys are lower-case hex (TaskCacheKey); anything else is refused rather than turned into a path.
    private string PathOf(string key) =>
        key.Length == 64 && key.All(char.IsAsciiHexDigitLower) ? Path.Combine(directory, key[..2], $"{key}.json")
            : throw new ArgumentException($"'{key}' is not a task cache key.", nameof(key));
}
