using Orchestration.Contracts;

namespace Orchestration.Retention;

/// <summary>
/// What to prune: the named processes, and/or every process that ended before <paramref name="EndedBefore"/>, except the
/// newest <paramref name="KeepLast"/> ended ones of each graph (with no time given: every ended process but those). Final outputs are kept unless <paramref name="Outputs"/>.
/// </summary>
/// <param name="DryRun">Only say what would be removed.</param>
public sealed record PruneRequest(
    IReadOnlyList<ProcessId> Processes,
    DateTimeOffset? EndedBefore,
    int? KeepLast,
    bool Outputs,
    string Reason,
    bool DryRun = false)
{
    /// <summary>Why the request cannot be run as it is; null when it can.</summary>
    public string? Problem() =>
        KeepLast < 0 ? $"--keep-last must be 0 or more (got {KeepLast})."
        : Processes.Count == 0 && EndedBefore is null && KeepLast is null ? "Say which processes to prune: their ids, or --ended-before <duration or time> (e.g. 7d, 12h, 2026-11-30)."
        : null;
}

/// <summary>What a prune removed (or, for a dry run, would remove), and what it left because it is still in use.</summary>
public sealed record PruneReport(
    IReadOnlyList<ProcessId> Pruned,
    IReadOnlyList<string> Archives,
    long EventsRemoved,
    int BlobsDeleted,
    long BytesFreed,
    int BlobsKept,
    int CacheEntriesDropped,
    IReadOnlyList<string> Skipped,
    bool DryRun)
{
    public override string ToString() =>
        $"{(DryRun ? "would prune" : "pruned")} {Pruned.Count} process(es): {EventsRemoved:N0} event(s) {(DryRun ? "to remove" : "removed")}, " +
        $"{BlobsDeleted:N0} blob(s) {(DryRun ? "to delete" : "deleted")} ({Sizes.Of(BytesFreed)}), {BlobsKept:N0} kept (still referenced or final outputs), " +
        $"{CacheEntriesDropped:N0} cache entr(y/ies) dropped";
}

/// <summary>The request was refused as a whole; nothing was deleted.</summary>
public sealed class PruneRefusedException(string message) : Exception(message);
