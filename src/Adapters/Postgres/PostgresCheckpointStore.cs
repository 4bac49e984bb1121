using Npgsql;
using Orchestration.Ports;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// Followers' checkpoints as rows of mt_event_progression (Marten's table for its projections' progress),
/// in the same schema as the events they follow.
/// </summary>
public sealed class PostgresCheckpointStore : ICheckpointStore
{
    private readonly NpgsqlDataSource _source;
    private readonly PostgresSchema _schema;

    private PostgresCheckpointStore(NpgsqlDataSource source, PostgresSchema schema) => (_source, _schema) = (source, schema);

    /// <summary>Opens the checkpoints in <paramref name="schema"/>, creating their table if it is missing.</summary>
    public static async Task<PostgresCheckpointStore> OpenAsync(NpgsqlDataSource source, string schema = PostgresSchema.DefaultName, CancellationToken cancellationToken = default)
    {
        var tables = new PostgresSchema(schema);
        await tables.EnsureCheckpointsAsync(source, cancellationToken);
        return new PostgresCheckpointStore(source, tables);
    }

    public async Task<long> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand($"SELECT last_seq_id FROM {_schema.Progression} WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(cancellationToken) is long position ? position : 0;
    }

    public async Task SaveAsync(string name, long position, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand($"""
            INSERT INTO {_schema.Progression} (name, last_seq_id) VALUES ($1, $2)
            ON CONFLICT (name) DO UPDATE SET last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
