using Npgsql;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Postgres;

/// <summary>The event store and the checkpoint store of one schema, sharing one connection pool.</summary>
public sealed class PostgresStores : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    private PostgresStores(NpgsqlDataSource source, PostgresEventStore events, PostgresCheckpointStore checkpoints) =>
        (_source, Events, Checkpoints) = (source, events, checkpoints);

    public PostgresEventStore Events { get; }
    public PostgresCheckpointStore Checkpoints { get; }

    /// <summary>Connects, and creates or migrates the schema (safe when several processes start at once).</summary>
    public static async Task<PostgresStores> OpenAsync(string connectionString, string schema, CancellationToken cancellationToken = default)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        try
        {
            var events = await PostgresEventStore.OpenAsync(source, schema, cancellationToken);
            var checkpoints = await PostgresCheckpointStore.OpenAsync(source, schema, cancellationToken);
            await events.RefuseUnnamespacedAsync($"in schema '{schema}'", cancellationToken);
            return new PostgresStores(source, events, checkpoints);
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Events.Dispose();
        await _source.DisposeAsync();
    }
}
