using System.Runtime.CompilerServices;
using IEvent = JasperFx.Events.IEvent;
using StreamAction = JasperFx.Events.StreamAction;
using StreamIdentity = JasperFx.Events.StreamIdentity;
using EventAppendMode = JasperFx.Events.EventAppendMode;
using Marten;
using Marten.Linq.MatchesSql;
using Orchestration.Processes;
using Npgsql;
using Orchestration.Ports;
using Orchestration.Storage;
using Weasel.Core;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// The distributed event store on Marten's own event store (string stream keys, quick append, every event type
/// mapped to its wire name, our JSON options).
/// <para>
/// Marten numbers events from a sequence, so a transaction may take position 7, another take 8 and commit first; a
/// follower reading "after 8" would never see 7. Marten's async daemon waits out such gaps, but the runtime's
/// followers read the log themselves. So every append takes a transaction-level advisory lock before Marten draws
/// its first number and holds it to the commit: appends commit one after another, each numbered above every
/// earlier commit, and a follower never misses a late commit. A failed append burns its numbers (gaps, later
/// filled by Marten's tombstones, which readers skip): gaps are harmless, only late commits below a read position
/// would not be. The cost is one writer at a time per schema, which group commit makes up for.
/// </para>
/// </summary>
public sealed class MartenEventStore : IEventStore, IDisposable
{
    private const string Tombstones = "mt_tombstone"; // Marten's stream for the numbers of failed appends
    private const int StreamPageSize = 5_000;

    private readonly DocumentStore _store;
    private readonly NpgsqlDataSource _source;
    private readonly PostgresSchema _schema;
    private readonly AppendNotifications _notifications;
    private readonly RecentEvents _recent = new();
    private long _lastWritten;

    private MartenEventStore(DocumentStore store, NpgsqlDataSource source, PostgresSchema schema)
    {
        _store = store;
        _source = source;
        _schema = schema;
        _notifications = new AppendNotifications(source, schema.Channel);
        Processes = new MartenProcessList(store);
    }

    /// <summary>The process list, projected in the same transactions as the events.</summary>
    public IProcessList Processes { get; }

    /// <summary>
    /// Opens the store in <paramref name="schema"/>, creating Marten's tables first if they are missing (safe when
    /// several processes start at once). Refuses a schema that holds version 0.1.0's tables. The caller owns <paramref name="source"/>.
    /// </summary>
    public static async Task<MartenEventStore> OpenAsync(NpgsqlDataSource source, string schema = PostgresSchema.DefaultName, CancellationToken cancellationToken = default)
    {
        var tables = new PostgresSchema(schema);
        var store = DocumentStore.For(options => Configure(options, source, tables.Name));
        try
        {
            await tables.EnsureMartenAsync(source, store, cancellationToken);
            return new MartenEventStore(store, source, tables);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static void Configure(StoreOptions options, NpgsqlDataSource source, string schema)
    {
        options.Connection(source);
        options.DatabaseSchemaName = schema;
        options.Events.StreamIdentity = StreamIdentity.AsString;
        // Timestamps from this process: what a writer remembers of its events is then exactly what was stored.
        options.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        // Created once, under a lock, by PostgresSchema.EnsureMartenAsync; no per-session schema checks after that.
        options.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
        // Our options as they are: member names as declared, enums as numbers (the wire format of every adapter).
        options.Serializer(new Marten.Services.SystemTextJsonSerializer(EventSerializer.Options) { Casing = Casing.Default, EnumStorage = EnumStorage.AsInteger });
        foreach (var (name, type) in EventSerializer.Instance.EventTypes)
            options.Events.MapEventType(type, name);
        MartenProcessList.Configure(options);
        // No replay of a commit whose outcome is unknown: the runtime decides again on the stream's stored events.
        options.ConfigureWritePolly(_ => { });
    }

    public async Task<long> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        if (appends.Select(a => a.Stream).Distinct(StringComparer.Ordinal).Count() != appends.Count)
            throw new ArgumentException("A group commit may hold each stream once; merge its events into one append.", nameof(appends));

        await using var session = _store.LightweightSession();
        await session.BeginTransactionAsync(cancellationToken);
        await LockAppendsAsync(session, cancellationToken);
        var actions = new List<(StreamAppend Append, StreamAction Action)>(appends.Count);
        foreach (var append in appends)
        {
            if (append.Events.Count == 0) await CheckVersionAsync(session, append, cancellationToken);
            // Marten's expected version is the one after the append.
            else actions.Add((append, session.Events.Append(append.Stream, append.ExpectedVersion + append.Events.Count, append.Events.Cast<object>())));
        }
        if (actions.Count == 0) return await HeadAsync(cancellationToken);

        session.QueueOperation(new AnnounceHead(_schema));
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception error) when (IsConflict(error))
        {
            // Marten may name a neighbour of the stream that moved on: look which one did.
            throw await ConflictAsync(appends, cancellationToken) ?? new ConcurrencyException(appends[0].Stream, appends[0].ExpectedVersion, -1);
        }
        var last = Remember(actions);
        _notifications.Announce(last);
        return last;
    }

    public async IAsyncEnumerable<StoredEvent> ReadStreamAsync(string stream, long afterVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // In pages, so that a long stream does not hold a connection for as long as its reader takes.
        while (true)
        {
            IReadOnlyList<IEvent> page;
            await using (var session = _store.QuerySession())
                page = await session.Events.QueryAllRawEvents()
                    .Where(e => e.StreamKey == stream && e.Version > afterVersion)
                    .OrderBy(e => e.Version).Take(StreamPageSize).ToListAsync(cancellationToken);
            foreach (var e in page) yield return Stored(e);
            if (page.Count < StreamPageSize) yield break;
            afterVersion = page[^1].Version;
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken = default)
    {
        if (RecentRun(afterPosition, max) is { } recent) return recent;
        await using var session = _store.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > afterPosition && e.StreamKey != Tombstones)
            .OrderBy(e => e.Sequence).Take(max).ToListAsync(cancellationToken);
        return events.Select(Stored).ToList();
    }

    /// <summary>
    /// One shard's events, filtered in the database by <see cref="Shard.SqlOf"/>. A short page read through the head
    /// taken before it: every commit up to that head is in the page's snapshot, as appends commit in position order.
    /// </summary>
    public async Task<LogPage> ReadShardAsync(long afterPosition, int max, Shard shard, CancellationToken cancellationToken = default)
    {
        if (shard.IsAll) return LogPage.Of(await ReadAllAsync(afterPosition, max, cancellationToken), afterPosition, max);
        if (RecentRun(afterPosition, max) is { } recent)
            return new LogPage(recent.Where(e => shard.Holds(e.Stream)).ToList(), recent[^1].Position, recent.Count == max);
        var head = await HeadAsync(cancellationToken);
        await using var session = _store.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > afterPosition && e.StreamKey != Tombstones && e.MatchesSql($"{Shard.SqlOf("d.stream_id", shard.Count)} = ?", shard.Index))
            .OrderBy(e => e.Sequence).Take(max).ToListAsync(cancellationToken);
        var page = events.Select(Stored).ToList();
        var full = page.Count == max;
        return new LogPage(page, full ? page[^1].Position : Math.Max(Math.Max(head, afterPosition), page.Count > 0 ? page[^1].Position : 0), full);
    }

    /// <summary>
    /// What this instance wrote itself right after <paramref name="afterPosition"/>, served from memory, when it is the
    /// log: a whole page, or a run up to this instance's last write. A run that stops short of both stops at a hole (a
    /// deleted stream's events, or another writer's): null, the database has what follows.
    /// </summary>
    private List<StoredEvent>? RecentRun(long afterPosition, int max)
    {
        var recent = _recent.After(afterPosition, max);
        return recent.Count > 0 && (recent.Count == max || recent[^1].Position >= Interlocked.Read(ref _lastWritten)) ? recent : null;
    }

    public async Task<long> HeadAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {_schema.Events} WHERE stream_id <> '{Tombstones}'");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _notifications.WaitAsync(afterPosition, timeout, () => Interlocked.Read(ref _lastWritten), HeadAsync, cancellationToken);

    public async Task<IReadOnlyList<StreamInfo>> StreamsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand($"SELECT id, version FROM {_schema.Streams} WHERE id <> '{Tombstones}' AND NOT is_archived ORDER BY created, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var streams = new List<StreamInfo>();
        while (await reader.ReadAsync(cancellationToken))
            streams.Add(new StreamInfo(reader.GetString(0), reader.GetInt64(1)));
        return streams;
    }

    /// <summary>
    /// Archives the streams with Marten first, in one transaction (from then on no read sees them, all at once), then
    /// deletes each one's events and its row of the process list with Marten's cleaner, so the space is freed.
    /// </summary>
    public async Task<long> DeleteStreamsAsync(IReadOnlyCollection<string> streams, CancellationToken cancellationToken = default)
    {
        var existing = (await StreamsAsync(cancellationToken)).Where(s => streams.Contains(s.Stream)).ToList();
        if (existing.Count == 0) return 0;
        await using (var session = _store.LightweightSession())
        {
            foreach (var stream in existing)
            {
                session.Events.ArchiveStream(stream.Stream);
                session.Delete<Runtime.ProcessProgress>(stream.Stream);
            }
            await session.SaveChangesAsync(cancellationToken);
        }
        foreach (var stream in existing)
            await _store.Advanced.Clean.DeleteSingleEventStreamAsync(stream.Stream, null, cancellationToken);
        _recent.Forget(existing.Select(s => s.Stream).ToHashSet(StringComparer.Ordinal));
        return existing.Sum(s => s.Version);
    }

    public void Dispose()
    {
        _notifications.Dispose();
        _store.Dispose();
    }

    private static StoredEvent Stored(IEvent e) => new(e.Sequence, e.StreamKey!, e.Version, (IProcessEvent)e.Data, Microseconds(e.Timestamp));

    // PostgreSQL keeps microseconds: what a writer remembers of its own events must equal what others read back.
    private static DateTimeOffset Microseconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));

    private long Remember(List<(StreamAppend Append, StreamAction Action)> actions)
    {
        long last = 0;
        foreach (var (_, action) in actions)
            foreach (var e in action.Events)
            {
                _recent.Add(Stored(e));
                last = Math.Max(last, e.Sequence);
            }
        InterlockedMax(ref _lastWritten, last);
        return last;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private async Task LockAppendsAsync(IDocumentSession session, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_schema.LockAppendsSql, session.Connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>An append of no events still states a version: checked under the lock, as the others are by Marten.</summary>
    private static async Task CheckVersionAsync(IDocumentSession session, StreamAppend append, CancellationToken cancellationToken)
    {
        var actual = (await session.Events.FetchStreamStateAsync(append.Stream, cancellationToken))?.Version ?? 0;
        if (actual != append.ExpectedVersion) throw new ConcurrencyException(append.Stream, append.ExpectedVersion, actual);
    }

    /// <summary>The first append whose stream is not at the version it expects, with the version it is at.</summary>
    private async Task<ConcurrencyException?> ConflictAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(
            $"SELECT u.id, coalesce(s.version, 0) FROM unnest($1::text[]) AS u(id) LEFT JOIN {_schema.Streams} s ON s.id = u.id");
        command.Parameters.Add(new NpgsqlParameter { Value = appends.Select(a => a.Stream).ToArray() });
        var actual = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) actual[reader.GetString(0)] = reader.GetInt64(1);
        return appends.FirstOrDefault(a => actual[a.Stream] != a.ExpectedVersion) is { } stale
            ? new ConcurrencyException(stale.Stream, stale.ExpectedVersion, actual[stale.Stream])
            : null;
    }

    /// <summary>Marten's optimistic-concurrency failures: a stream that moved on, or one that exists already.</summary>
    private static bool IsConflict(Exception error) =>
        error is JasperFx.ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException;

    /// <summary>
    /// Notifies followers with the new head inside the append's transaction, so only a commit announces. Queued as an
    /// operation, it runs in Marten's one batch after the events (event operations come first), so the head includes
    /// them, at no round trip of its own. Its one row is read past by Marten, as every operation's results are.
    /// </summary>
    private sealed class AnnounceHead(PostgresSchema schema) : Marten.Internal.Operations.IStorageOperation
    {
        public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, Weasel.Storage.IStorageSession session)
        {
            builder.Append("SELECT pg_notify(");
            builder.AppendParameter(schema.Channel);
            builder.Append($", (SELECT max(seq_id) FROM {schema.Events})::text)");
        }

        public Type DocumentType => typeof(AnnounceHead);

        public Task PostprocessAsync(System.Data.Common.DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

        public OperationRole Role() => OperationRole.Other;
    }
}
