using Orchestration.Contracts;
using Orchestration.Processes;

namespace Orchestration.Retention;

/// <summary>
/// A prune ran: which processes' events it removed (their history went to the archive first), and what it freed. Kept in
/// the retention stream (<see cref="RetentionStream.Name"/>), the one record of what is gone.
/// </summary>
[WireName("processes-pruned.v1")]
public sealed record ProcessesPruned(
    IReadOnlyList<ProcessId> Processes,
    long EventsRemoved,
    int BlobsDeleted,
    long BytesFreed,
    int CacheEntriesDropped,
    string Reason,
    DateTimeOffset At) : IProcessEvent
{
    /// <summary>Not one process's event: the retention stream's.</summary>
    ProcessId IProcessEvent.ProcessId => new(RetentionStream.Name);

    public override string ToString() =>
        $"Pruned {Processes.Count} process(es): {EventsRemoved:N0} event(s) removed, {BlobsDeleted:N0} blob(s) deleted ({Sizes.Of(BytesFreed)} freed), {CacheEntriesDropped:N0} cache entr(y/ies) dropped: {Reason}";
}

/// <summary>The stream of retention's records, beside the process and schedule streams.</summary>
public static class RetentionStream
{
    public const string Name = "retention";

    public static bool Is(string stream) => stream == Name;
}

/// <summary>Byte counts for people: <c>1.5 MB</c>.</summary>
public static class Sizes
{
    public static string Of(long bytes) => bytes switch
    {
        < 1_000 => $"{bytes} B",
        < 1_000_000 => $"{bytes / 1e3:0.#} kB",
        < 1_000_000_000 => $"{bytes / 1e6:0.#} MB",
        _ => $"{bytes / 1e9:0.##} GB",
    };
}
