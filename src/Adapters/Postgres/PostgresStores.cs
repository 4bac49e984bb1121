using Npgsql;
using Orchestration.Adapters.Configuration;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Postgres;

/// <summary>The event store and the checkpoint store of one schema, sharing one connection pool.</summary>
public sealed class PostgresStores : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    private readonly MartenEventStore _events;

    private PostgresStores(NpgsqlDataSource source, MartenEventStore events, PostgresCheckpointStore checkpoints) =>
        (_source, _events, Checkpoints) = (source, events, checkpoints);

    /// <summary>Marten's event store.</summary>
    public IEventStore Events => _events;
    /// <summary>The process list, projected by Marten beside the events.</summary>
    public IProcessList Processes => _events.Processes;
    public PostgresCheckpointStore Checkpoints { get; }

    /// <summary>Connects, and creates or migrates the schema (safe when several processes start at once).</summary>
    public static Task<PostgresStores> OpenAsync(DistributedSettings settings, CancellationToken cancellationToken = default) =>
        OpenAsync(settings.Postgres, settings.Schema, cancellationToken);

    /// <inheritdoc cref="OpenAsync(DistributedSettings, CancellationToken)"/>
    public static async Task<PostgresStores> OpenAsync(string connectionString, string schema, CancellationToken cancellationToken = default)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        try
        {
            var events = await MartenEventStore.OpenAsync(source, schema, cancellationToken);
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
        _events.Dispose();
        await _source.DisposeAsync();
    }
}
