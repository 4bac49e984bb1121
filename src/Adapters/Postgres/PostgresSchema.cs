using System.Text.RegularExpressions;
using Npgsql;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// One deployment's PostgreSQL schema: Marten's event store tables (mt_streams, mt_events, created by Marten, see
/// <see cref="MartenEventStore"/>), the followers' checkpoints (orchestration_checkpoints) and the locks and channel the
/// adapters share.
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
    /// <summary>The followers' checkpoints (a table of ours beside Marten's).</summary>
    public string Checkpoints => $"\"{Name}\".orchestration_checkpoints";
    /// <summary>One row: whose event log this is (the deployment's queue prefix) and how many shards its orchestrators split it into.</summary>
    public string Deployment => $"\"{Name}\".orchestration_deployment";
    /// <summary>The task cache: a task's cache key to the result it had.</summary>
    public string TaskCache => $"\"{Name}\".orchestration_task_cache";

    /// <summary>Each shard's owner and epoch (see <see cref="ShardLeases"/>).</summary>
    public string Shards => $"\"{Name}\".orchestration_shards";

    /// <summary>The session-level advisory lock an orchestrator holds for as long as it owns <paramref name="shard"/>.</summary>
    public string ShardLockKey(int shard) => $"hashtextextended('orchestration.shard:{Name}:{shard}', 0)";

    /// <summary>The channel an append notifies, with the new head as its payload.</summary>
    public string Channel => $"mt_events_{Name}";

    /// <summary>Taken by every append, for the length of its transaction: one writer at a time per schema.</summary>
    public string LockAppendsSql => $"SELECT pg_advisory_xact_lock(hashtextextended('orchestration.append:{Name}', 0))";

    /// <summary>
    /// Creates or updates Marten's tables for <paramref name="store"/>. Marten's own schema apply takes no lock, and
    /// several processes applying at once fail on the catalogue, so it runs under a session-level advisory lock.
    /// A schema holding the hand-written store's tables (same names, other columns) is refused, never altered.
    /// </summary>
    public async Task EnsureMartenAsync(NpgsqlDataSource source, Marten.DocumentStore store, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await RunAsync(connection, $"SELECT pg_advisory_lock(hashtextextended('{MigrateLock}', 0))", cancellationToken);
        try
        {
            if (await HoldsAsync(connection, "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'mt_streams' AND column_name = 'snapshot'", cancellationToken))
                throw new Ports.IncompatibleStoreException(
                    $"The PostgreSQL schema '{Name}' holds the events of version 0.1.0's hand-written store, which this version no longer reads. " +
                    "Let 0.1.0 finish its processes, then point Orchestration__Schema at a new schema; nothing was changed.");
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(JasperFx.AutoCreate.CreateOrUpdate);
        }
        finally
        {
            await RunAsync(connection, $"SELECT pg_advisory_unlock(hashtextextended('{MigrateLock}', 0))", CancellationToken.None);
        }
    }

    /// <summary>Creates our own tables beside Marten's: the followers' checkpoints and the deployment's row.</summary>
    public async Task EnsureOwnTablesAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RunAsync(connection, $"SELECT pg_advisory_xact_lock(hashtextextended('{MigrateLock}', 0))", cancellationToken);
        await RunAsync(connection, $"""
            CREATE SCHEMA IF NOT EXISTS "{Name}";
            CREATE TABLE IF NOT EXISTS {Checkpoints} (
                name     text        PRIMARY KEY,
                position bigint      NOT NULL,
                state    bytea       NOT NULL,
                saved_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE IF NOT EXISTS {Deployment} (
                one          boolean     PRIMARY KEY DEFAULT true CHECK (one),
                queue_prefix text        NOT NULL
            );
            ALTER TABLE {Deployment} ADD COLUMN IF NOT EXISTS shards int;
            CREATE TABLE IF NOT EXISTS {Shards} (
                shard  int         PRIMARY KEY,
                holder text        NOT NULL,
                epoch  bigint      NOT NULL,
                since  timestamptz NOT NULL
            );
            CREATE TABLE IF NOT EXISTS {TaskCache} (
                key         text        PRIMARY KEY,
                result      jsonb       NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private string MigrateLock => $"orchestration.migrate:{Name}";

    private static async Task RunAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> HoldsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT EXISTS ({sql})", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Name });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$")]
    private static partial Regex PlainIdentifier();
}
