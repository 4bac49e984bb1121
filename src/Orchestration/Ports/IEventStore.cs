using Orchestration.Processes;

namespace Orchestration.Ports;

/// <summary>
/// The event store port: one stream per process with per-stream versions, and a global position over all
/// streams that followers (dispatcher, timeout manager) read in order. Adapters: files on local disk
/// (embedded) and PostgreSQL (distributed); both pass the same contract tests.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Appends to several streams in one atomic write (group commit). Each append states the version it
    /// expects its stream to be at (0: the stream must not exist yet); if any differs, nothing is written
    /// and <see cref="ConcurrencyException"/> names the stream. Returns the global position of the last event written.
    /// </summary>
    Task<long> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default);

    /// <summary>The events of one stream with a version above <paramref name="afterVersion"/>, in order.</summary>
    IAsyncEnumerable<StoredEvent> ReadStreamAsync(string stream, long afterVersion = 0, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> events of all streams with a global position above <paramref name="afterPosition"/>, in order.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="max"/> events of <paramref name="shard"/>'s streams with a global position above
    /// <paramref name="afterPosition"/>, in order, and the position read through. By default a page of the whole log,
    /// filtered here; a store that can filter where it keeps the events does so there.
    /// </summary>
    async Task<LogPage> ReadShardAsync(long afterPosition, int max, Shard shard, CancellationToken cancellationToken = default)
    {
        var page = LogPage.Of(await ReadAllAsync(afterPosition, max, cancellationToken), afterPosition, max);
        return shard.IsAll ? page : page with { Events = page.Events.Where(e => shard.Holds(e.Stream)).ToList() };
    }

    /// <summary>The global position of the last event written, 0 when the store is empty.</summary>
    Task<long> HeadAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until an event past <paramref name="afterPosition"/> exists, or <paramref name="timeout"/> passes.</summary>
    Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Every stream's id and version, for listings.</summary>
    Task<IReadOnlyList<StreamInfo>> StreamsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes whole streams and their events for good (retention, once their history is archived elsewhere); a stream
    /// removed may start again from version 0. Other streams' events keep their positions. Returns how many events were removed.
    /// </summary>
    Task<long> DeleteStreamsAsync(IReadOnlyCollection<string> streams, CancellationToken cancellationToken = default);
}

/// <summary>Events to add to one stream, which must be at <paramref name="ExpectedVersion"/>.</summary>
public sealed record StreamAppend(string Stream, long ExpectedVersion, IReadOnlyList<IProcessEvent> Events);

/// <summary>An event as stored: its global position, its stream, its version in that stream and when it was written.</summary>
public sealed record StoredEvent(long Position, string Stream, long Version, IProcessEvent Event, DateTimeOffset RecordedAt)
{
    public override string ToString() => $"#{Position} {Stream} v{Version}: {Event}";
}

/// <summary>A stream of the store and its current version.</summary>
public sealed record StreamInfo(string Stream, long Version);

/// <summary>Another writer appended to the stream first; reload it and decide again.</summary>
public sealed class ConcurrencyException(string stream, long expected, long actual)
    : Exception($"Stream '{stream}' is at version {actual}, not {expected} as expected: another writer appended first. Reload the stream and decide again.")
{
    public string Stream { get; } = stream;
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}

/// <summary>The store holds data this version cannot use (written by an older one, or by another deployment); the message says what to do.</summary>
public sealed class IncompatibleStoreException(string message) : IOException(message);

/// <summary>
/// Whether a failure of a store call means the store is out of reach for now (restarting, cut off, timing out), so the
/// caller may wait and call again. Adapters' libraries wrap the driver's error (Marten's command exceptions hold
/// Npgsql's), so the whole chain of causes is looked at; a store holding data this version cannot use is no outage.
/// </summary>
public static class StoreOutage
{
    public static bool Explains(Exception error)
    {
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            if (cause is IncompatibleStoreException) return false;
            if (cause is System.Data.Common.DbException or IOException or TimeoutException or System.Net.Sockets.SocketException) return true;
        }
        return false;
    }
}
