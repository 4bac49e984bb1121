using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Retention;
using Orchestration.Runtime;

namespace Orchestration.CommandLine;

/// <summary>
/// A process's history for <c>history</c> and <c>describe</c>: its stream in the event store, or, once pruned, its newest
/// archive in the blob store (checked against the SHA-256 its name records).
/// </summary>
public static class ProcessHistories
{
    /// <summary>The process's events and, when they came from the archive, its name; throws a <see cref="CliError"/> for an unknown process or a damaged archive.</summary>
    public static async Task<(IReadOnlyList<StoredEvent> Events, string? Archive)> ReadAsync(IEventStore store, IBlobStore? blobs, string id, CancellationToken cancellationToken)
    {
        var process = ProcessId.From(id);
        var live = new List<StoredEvent>();
        await foreach (var stored in store.ReadStreamAsync(ProcessStreams.StreamOf(process), 0, cancellationToken)) live.Add(stored);
        if (live.Count > 0) return (live, null);
        if (blobs is not null && await NewestArchiveAsync(blobs, process, cancellationToken) is { } archive)
        {
            var sha = ProcessArchive.Sha256Of(archive.Name)!;
            try
            {
                await using var read = await blobs.OpenReadAsync(new BlobRef(archive.Uri, sha, archive.Size, -1), cancellationToken);
                using var copy = new MemoryStream();
                await read.CopyToAsync(copy, cancellationToken); // to the end, where the SHA-256 is checked
                copy.Position = 0;
                return (await ProcessArchive.ReadAsync(copy, process, archive.Name, cancellationToken), archive.Name);
            }
            catch (BlobCorruptException damaged)
            {
                throw new CliError(ProcessArchive.Damaged(process, archive.Name, damaged.Message.TrimEnd('.')));
            }
            catch (InvalidDataException damaged)
            {
                throw new CliError(damaged.Message);
            }
        }
        var known = (await store.StreamsAsync(cancellationToken)).Select(s => ProcessStreams.ProcessOf(s.Stream)?.Value).OfType<string>().ToList();
        throw CliError.BadArguments($"No process '{id}' in this data directory. Known: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}. Nor is there an archive of a pruned process '{id}'.");
    }

    /// <summary>The process as its events leave it, after the first <paramref name="upTo"/> of them.</summary>
    public static ProcessState Fold(IReadOnlyList<StoredEvent> events, long upTo = long.MaxValue)
    {
        var state = new ProcessState();
        foreach (var stored in events.TakeWhile(e => e.Version <= upTo)) ProcessState.Evolve(state, stored.Event);
        return state;
    }

    private static async Task<StoredBlob?> NewestArchiveAsync(IBlobStore blobs, ProcessId process, CancellationToken cancellationToken)
    {
        StoredBlob? newest = null;
        await foreach (var blob in blobs.ListAsync(ProcessArchive.PrefixOf(process), cancellationToken))
            if (ProcessArchive.Sha256Of(blob.Name) is not null && (newest is null || string.CompareOrdinal(blob.Name, newest.Name) > 0)) newest = blob;
        return newest;
    }
}
