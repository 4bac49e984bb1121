using Npgsql;
using Orchestration.Ports;

namespace Orchestration.Adapters.Postgres;

/// <summary>Followers' checkpoints as rows of their own table (position and state), in the same schema as the events they follow.</summary>
public sealed class PostgresCheckpointStore : ICheckpointStore
{
    private readonly NpgsqlDataSource _source;
    private readonly PostgresSchema _schema;

    private PostgresCheckpointStore(NpgsqlDataSource source, PostgresSchema schema) => (_source, _schema) = (source, schema);

    /// <summary>Opens the checkpoints in <paramref name="schema"/>, creating their table if it is missing.</summary>
    public static async Task<PostgresCheckpointStore> OpenAsync(NpgsqlDataSource source, string schema = PostgresSchema.DefaultName, CancellationToken cancellationToken = default)
    {
        var tables = new PostgresSchema(schema);
        await tables.EnsureOwnTablesAsync(source, cancellationToken);
        return new PostgresCheckpointStore(source, tables);
    }

    public async Task<Checkpoint> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand($"SELECT position, state FROM {_schema.Checkpoints} WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new Checkpoint(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : Checkpoint.Start;
    }

    /// <summary>The state goes through a temporary file, which Npgsql streams into the row: never held in memory whole.</summary>
    public async Task SaveAsync(string name, long position, Func<Stream, CancellationToken, Task> writeState, CancellationToken cancellationToken = default)
    {
        await using var state = new FileStream(Path.Combine(Path.GetTempPath(), $"orch-checkpoint-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await writeState(state, cancellationToken);
        await state.FlushAsync(cancellationToken);
        state.Position = 0;
        await using var command = _source.CreateCommand($"""
            INSERT INTO {_schema.Checkpoints} (name, position, state) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state, saved_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        command.Parameters.Add(new NpgsqlParameter { Value = state, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea, Size = (int)state.Length });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
