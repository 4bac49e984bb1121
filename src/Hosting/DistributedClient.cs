using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.AzureBlob;
using Orchestration.Adapters.Postgres;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Hosting;

/// <summary>
/// The command line's view of a distributed deployment: it starts processes and follows them in PostgreSQL, and
/// puts inputs and reads results in Azure Blob storage. The orchestrator process does the rest; several writers on
/// one stream are safe (optimistic concurrency).
/// </summary>
public sealed class DistributedClient : Engine
{
    private readonly PostgresStores _stores;
    private readonly ProcessRuntime _runtime;

    private DistributedClient(PostgresStores stores, IBlobStore blobs)
    {
        _stores = stores;
        Blobs = blobs;
        _runtime = new ProcessRuntime(stores.Events, TimeProvider.System, new ProcessRuntimeOptions(Partitions: 1));
    }

    /// <inheritdoc/>
    public override IEventStore Events => _stores.Events;
    /// <inheritdoc/>
    public override IBlobStore Blobs { get; }
    /// <inheritdoc/>
    public override ProcessRuntime Runtime => _runtime;

    /// <summary>Connects to the deployment's PostgreSQL and blob storage; throws naming every missing setting.</summary>
    public static async Task<DistributedClient> OpenAsync(DistributedSettings settings, CancellationToken cancellationToken = default)
    {
        settings.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.Blobs));
        return new DistributedClient(await PostgresStores.OpenAsync(settings.Postgres, settings.Schema, cancellationToken), new AzureBlobStore(settings.Blobs, settings.BlobContainer));
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await _runtime.DisposeAsync();
        await _stores.DisposeAsync();
    }
}
