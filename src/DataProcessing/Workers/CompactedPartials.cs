using Orchestration.DataProcessing.Blobs;

namespace Orchestration.DataProcessing.Workers;

/// <summary>
/// A worker's store of compacted groups of small input files (<see cref="InputCompaction"/>), each named by the
/// content of the files it was made of, so that a merge run again after one of its 100 partials changed reads the
/// other groups as a few files instead of 99. It lies beside the sandboxes' scratch roots, never inside one: a step's
/// SQL sees the groups of its own inputs, linked into its task directory, and nothing else of other processes.
/// Bounded: past <paramref name="capacityBytes"/> the entries used least recently go. Losing an entry costs only a
/// recompaction, so a crash mid-write leaves at worst a temporary file, cleared by the first entry kept after a restart.
/// </summary>
public sealed class CompactedPartials(string directory, long capacityBytes = CompactedPartials.DefaultCapacity)
{
    /// <summary>256 MiB: each entry is at most the few MiB a view reads into a table (many small files in all).</summary>
    public const long DefaultCapacity = 256L * 1024 * 1024;

    private readonly Lock _accounting = new();
    private long? _bytes;

    public string Directory => directory;

    /// <summary>
    /// Gives <paramref name="destination"/> the bytes of the entry for <paramref name="key"/>; false when there is none,
    /// or it cannot be had: the store is a cache, and a task never fails for it.
    /// </summary>
    public bool TryLink(string key, string destination)
    {
        var entry = PathOf(key);
        try
        {
            if (!FileLink.TryCreate(entry, destination)) File.Copy(entry, destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // none (FileNotFoundException, DirectoryNotFoundException), or unreadable
        }
        try { File.SetLastWriteTimeUtc(entry, DateTime.UtcNow); } // used now: the last to be evicted
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // evicted since: the link holds the bytes
        return true;
    }

    /// <summary>
    /// Keeps <paramref name="file"/> (linked, not copied, where it can be) as the entry for <paramref name="key"/>; a full
    /// or read-only disk leaves the store as it was, since the task has what it needs either way.
    /// </summary>
    public void Keep(string key, string file)
    {
        var size = new FileInfo(file).Length;
        if (size > capacityBytes) return;
        // Under a temporary name first: a reader never links a half-written entry.
        var temporary = Path.Join(directory, $".{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            FileLink.LinkOrCopy(file, temporary);
            File.Move(temporary, PathOf(key), overwrite: true);
            lock (_accounting)
            {
                _bytes = (_bytes ?? Measure()) + size;
                if (_bytes > capacityBytes) _bytes = Evict();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
        }
    }

    private string PathOf(string key) => Path.Join(directory, key + ".parquet");

    private long Measure()
    {
        foreach (var leftover in System.IO.Directory.EnumerateFiles(directory, ".*.tmp")) File.Delete(leftover);
        return Entries().Sum(e => e.Length);
    }

    /// <summary>Removes the least recently used entries until the rest fill at most three quarters of the capacity; returns their size.</summary>
    private long Evict()
    {
        var entries = Entries().OrderByDescending(e => e.LastWriteTimeUtc).ToList();
        long kept = 0;
        var full = false;
        foreach (var entry in entries)
        {
            full |= kept + entry.Length > capacityBytes * 3 / 4;
            if (full) entry.Delete();
            else kept += entry.Length;
        }
        return kept;
    }

    private IEnumerable<FileInfo> Entries() => new DirectoryInfo(directory).EnumerateFiles("*.parquet");
}
