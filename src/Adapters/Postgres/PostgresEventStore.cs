using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;
using Orchestration.Ports;
using Orchestration.Storage;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// The distributed event store on PostgreSQL (tables after Marten's: see <see cref="PostgresSchema"/>).
/// <para>
/// Positions without gaps, in commit order. With a plain sequence, a transaction may take position 7, another
/// take 8 and commit first; a follower that has read 8 moves on and never sees 7. Here every append holds a
/// transaction-level advisory lock from before it reads the head until its commit, and numbers its events
/// head + 1, head + 2, ...: appends commit one after another, each numbered after the last commit, so a follower
/// reading "after position P" can never miss an event committed later below P, and a failed append burns no
/// number. The cost is one writer at a time per schema, which group commit makes up for (many commands' events
/// in one transaction).
/// </para>
/// </summary>
public sealed class PostgresEventStore : IEventStore, IDisposable
{
    private const int StreamPageSize = 5_000;

    private readonly NpgsqlDataSource _source;
    private readonly PostgresSchema _schema;
    private readonly AppendNotifications _notifications;
    private readonly RecentEvents _recent = new();
    private long _lastWritten;

    private PostgresEventStore(NpgsqlDataSource source, PostgresSchema schema)
    {
        _source = source;
        _schema = schema;
        _notifications = new AppendNotifications(source, schema.Channel);
    }

    /// <summary>
    /// Opens the store in <paramref name="schema"/>, creating its tables first if they are missing (safe when
    /// several processes start at once). The caller owns <paramref name="source"/>.
    /// </summary>
    public static async Task<PostgresEventStore> OpenAsync(NpgsqlDataSource source, string schema = PostgresSchema.DefaultName, CancellationToken cancellationToken = default)
    {
        var tables = new PostgresSchema(schema);
        await tables.EnsureAsync(source, cancellationToken);
        return new PostgresEventStore(source, tables);
    }

    public async Task<long> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        if (appends.Select(a => a.Stream).Distinct(StringComparer.Ordinal).Count() != appends.Count)
            throw new ArgumentException("A group commit may hold each stream once; merge its events into one append.", nameof(appends));
        var rows = EventRows.From(appends);

        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        // Read committed, whatever the database's default: each statement after the lock must see the commits before it.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var head = await LockAndCheckAsync(connection, appends, cancellationToken);
        if (rows.Count == 0) return head;
        var last = await WriteAsync(connection, rows, head, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Remember(appends, head, rows.RecordedAt);
        _notifications.Announce(last);
        return last;
    }

    public async IAsyncEnumerable<StoredEvent> ReadStreamAsync(string stream, long afterVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // In pages, so that a long stream does not hold a connection for as long as its reader takes.
        var sql = $"{SelectEvents} WHERE stream_id = $1 AND version > $2 ORDER BY version LIMIT {StreamPageSize}";
        while (true)
        {
            var page = await QueryEventsAsync(sql, cancellationToken, stream, afterVersion);
            foreach (var e in page) yield return e;
            if (page.Count < StreamPageSize) yield break;
            afterVersion = page[^1].Version;
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken = default)
    {
        // What this instance wrote itself is served from memory, up to the first position another writer took.
        var recent = _recent.After(afterPosition, max);
        if (recent.Count > 0) return recent;
        return await QueryEventsAsync($"{SelectEvents} WHERE seq_id > $1 ORDER BY seq_id LIMIT $2", cancellationToken, afterPosition, max);
    }

    public async Task<long> HeadAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {_schema.Events}");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _notifications.WaitAsync(afterPosition, timeout, () => Interlocked.Read(ref _lastWritten), HeadAsync, cancellationToken);

    public async Task<IReadOnlyList<StreamInfo>> StreamsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand($"SELECT id, version FROM {_schema.Streams} ORDER BY created, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var streams = new List<StreamInfo>();
        while (await reader.ReadAsync(cancellationToken))
            streams.Add(new StreamInfo(reader.GetString(0), reader.GetInt64(1)));
        return streams;
    }

    public void Dispose() => _notifications.Dispose();

    private void Remember(IReadOnlyList<StreamAppend> appends, long head, DateTimeOffset recordedAt)
    {
        var position = head;
        foreach (var append in appends)
        {
            var version = append.ExpectedVersion;
            foreach (var e in append.Events) _recent.Add(new StoredEvent(++position, append.Stream, ++version, e, recordedAt));
        }
        InterlockedMax(ref _lastWritten, position);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private string SelectEvents => $"SELECT seq_id, stream_id, version, type, data, timestamp FROM {_schema.Events}";

    /// <summary>Takes the append lock, then (in statements after it, so they see every earlier commit) checks each stream's version and reads the head.</summary>
    private async Task<long> LockAndCheckAsync(NpgsqlConnection connection, IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(_schema.LockAppendsSql),
                Command($"SELECT u.id, coalesce(s.version, 0) FROM unnest($1::text[]) AS u(id) LEFT JOIN {_schema.Streams} s ON s.id = u.id",
                    (object)appends.Select(a => a.Stream).ToArray()), // one text[] parameter, not one per stream
                new NpgsqlBatchCommand($"SELECT coalesce(max(seq_id), 0) FROM {_schema.Events}"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var actual = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken)) actual[reader.GetString(0)] = reader.GetInt64(1);
        foreach (var append in appends)
            if (actual[append.Stream] != append.ExpectedVersion)
                throw new ConcurrencyException(append.Stream, append.ExpectedVersion, actual[append.Stream]);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0);
    }

    private async Task<long> WriteAsync(NpgsqlConnection connection, EventRows rows, long head, CancellationToken cancellationToken)
    {
        var last = head + rows.Count;
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command($"""
                    INSERT INTO {_schema.Streams} (id, version)
                    SELECT * FROM unnest($1::text[], $2::bigint[])
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, timestamp = excluded.timestamp
                    """, rows.Streams, rows.StreamVersions),
                Command($"""
                    INSERT INTO {_schema.Events} (seq_id, id, stream_id, version, data, type, mt_dotnet_type, timestamp)
                    SELECT seq_id, id, stream_id, version, data::jsonb, type, dotnet, $8
                    FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
                        AS u(seq_id, id, stream_id, version, data, type, dotnet)
                    """, rows.Positions(head), rows.Ids, rows.StreamIds, rows.Versions, rows.Data, rows.Types, rows.DotnetTypes, rows.RecordedAt),
                Command("SELECT pg_notify($1, $2)", _schema.Channel, last.ToString(CultureInfo.InvariantCulture)),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return last;
    }

    private async Task<IReadOnlyList<StoredEvent>> QueryEventsAsync(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = _source.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var e = EventSerializer.Instance.Deserialize(reader.GetString(3), reader.GetFieldValue<byte[]>(4));
            events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), e, reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return events;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
