using System.Text.RegularExpressions;
using Npgsql;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// The event store's tables in one PostgreSQL schema, named and shaped after Marten's event store (mt_streams,
/// mt_events, mt_event_progression) so that a Marten adapter can take over the same data later.
/// One difference: Marten fills mt_events.seq_id from a sequence; here the appender assigns it under a lock
/// (see <see cref="PostgresEventStore"/>), so positions have no gaps and follow commit order.
/// </summary>
internal sealed partial class PostgresSchema
{
    public const string DefaultName = "orchestration";

    public PostgresSchema(string name)
    {
        // The name is spliced into SQL and into a LISTEN channel (at most 63 bytes), so only plain identifiers.
        if (!PlainIdentifier().IsMatch(name))
            throw new ArgumentException($"Schema name '{name}' must be 1-48 lower-case letters, digits or '_', starting with a letter or '_'.", nameof(name));
        Name = name;
    }

    public string Name { get; }
    public string Streams => $"\"{Name}\".mt_streams";
    public string Events => $"\"{Name}\".mt_events";
    public string Progression => $"\"{Name}\".mt_event_progression";

    /// <summary>The channel an append notifies, with the new head as its payload.</summary>
    public string Channel => $"mt_events_{Name}";

    /// <summary>Taken by every append, for the length of its transaction: one writer at a time per schema.</summary>
    public string LockAppendsSql => $"SELECT pg_advisory_xact_lock(hashtextextended('orchestration.append:{Name}', 0))";

    /// <summary>
    /// Creates what is missing. Several processes may start at once: CREATE ... IF NOT EXISTS alone still races
    /// on the catalogue (a duplicate-key error from pg_namespace or pg_type), so the DDL runs under a lock.
    /// </summary>
    public async Task EnsureAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(Ddl, connection, transaction))
            await create.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private string Ddl => $"""
        SELECT pg_advisory_xact_lock(hashtextextended('orchestration.migrate:{Name}', 0));
        CREATE SCHEMA IF NOT EXISTS "{Name}";
        CREATE TABLE IF NOT EXISTS {Streams} (
            id               text        PRIMARY KEY,
            type             text,
            version          bigint      NOT NULL,
            timestamp        timestamptz NOT NULL DEFAULT now(),
            snapshot         jsonb,
            snapshot_version integer,
            created          timestamptz NOT NULL DEFAULT now(),
            tenant_id        text        NOT NULL DEFAULT '*DEFAULT*',
            is_archived      boolean     NOT NULL DEFAULT false
        );
        CREATE TABLE IF NOT EXISTS {Events} (
            seq_id         bigint      PRIMARY KEY,
            id             uuid        NOT NULL,
            stream_id      text        NOT NULL REFERENCES {Streams} (id) ON DELETE CASCADE,
            version        bigint      NOT NULL,
            data           jsonb       NOT NULL,
            type           text        NOT NULL,
            timestamp      timestamptz NOT NULL DEFAULT now(),
            tenant_id      text        NOT NULL DEFAULT '*DEFAULT*',
            mt_dotnet_type text,
            is_archived    boolean     NOT NULL DEFAULT false,
            CONSTRAINT pk_mt_events_stream_and_version UNIQUE (stream_id, version)
        );
        CREATE TABLE IF NOT EXISTS {Progression} (
            name         text        PRIMARY KEY,
            last_seq_id  bigint      NOT NULL,
            last_updated timestamptz NOT NULL DEFAULT transaction_timestamp()
        );
        """;

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$")]
    private static partial Regex PlainIdentifier();
}
