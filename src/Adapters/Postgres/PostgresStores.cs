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

    private readonly PostgresSchema _schema;
    private readonly string _connectionString;

    private PostgresStores(NpgsqlDataSource source, string connectionString, PostgresSchema schema, MartenEventStore events, PostgresCheckpointStore checkpoints) =>
        (_source, _connectionString, _schema, _events, Checkpoints) = (source, connectionString, schema, events, checkpoints);

    /// <summary>Marten's event store.</summary>
    public IEventStore Events => _events;
    /// <summary>The process list, projected by Marten beside the events.</summary>
    public IProcessList Processes => _events.Processes;
    public PostgresCheckpointStore Checkpoints { get; }

    /// <summary>The task cache in the deployment's schema, serving only results whose outputs <paramref name="blobs"/> still holds.</summary>
    public ITaskCache TaskCache(DataProcessing.Blobs.IBlobStore blobs) => new PostgresTaskCache(_source, _schema, blobs);

    /// <summary>
    /// Connects, creates or migrates the schema (safe when several processes start at once), and claims it for the
    /// deployment (its queue prefix): a schema holding another deployment's event log is refused.
    /// </summary>
    public static async Task<PostgresStores> OpenAsync(DistributedSettings settings, CancellationToken cancellationToken = default)
    {
        var stores = await OpenAsync(settings.Postgres, settings.Schema, cancellationToken);
        try
        {
            await DeploymentClaim.ClaimAsync(stores._source, stores._schema, settings.QueuePrefix, cancellationToken);
            return stores;
        }
        catch
        {
            await stores.DisposeAsync();
            throw;
        }
    }

    /// <summary>An orchestrator's leases on the deployment's <paramref name="shards"/> shards, each making it the only writer of that shard's processes.</summary>
    public ShardLeases Leases(string holder, int shards) => new(_connectionString, _schema, holder, shards);

    /// <inheritdoc cref="OpenAsync(DistributedSettings, CancellationToken)"/>
    public static async Task<PostgresStores> OpenAsync(string connectionString, string schema, CancellationToken cancellationToken = default)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        try
        {
            var events = await MartenEventStore.OpenAsync(source, schema, cancellationToken);
            var checkpoints = await PostgresCheckpointStore.OpenAsync(source, schema, cancellationToken);
            await events.RefuseUnnamespacedAsync($"in schema '{schema}'", cancellationToken);
            return new PostgresStores(source, connectionString, new PostgresSchema(schema), events, checkpoints);
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
