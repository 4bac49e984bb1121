using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.AzureBlob;
using Orchestration.Adapters.Messaging;
using Orchestration.Adapters.Postgres;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Hosting;

/// <summary>
/// The command line's view of a distributed deployment: it sends commands to the orchestrator (the only writer of
/// process events) and awaits their answers, follows processes in PostgreSQL, and puts inputs and reads results in
/// Azure Blob storage.
/// </summary>
public sealed class DistributedClient : Engine
{
    private readonly PostgresStores _stores;
    private readonly OrchestratorClient _orchestrator;

    private DistributedClient(PostgresStores stores, OrchestratorClient orchestrator, IBlobStore blobs)
    {
        _stores = stores;
        _orchestrator = orchestrator;
        Blobs = blobs;
    }

    /// <inheritdoc/>
    public override IEventStore Events => _stores.Events;
    /// <inheritdoc/>
    public override IBlobStore Blobs { get; }

    /// <inheritdoc/>
    public override Task SendAsync(IProcessCommand command, CancellationToken cancellationToken = default) =>
        _orchestrator.SendAsync(command, cancellationToken);

    /// <inheritdoc/>
    public override async Task<Orchestration.Retention.PruneReport> PruneAsync(Orchestration.Retention.PruneRequest request, CancellationToken cancellationToken = default)
    {
        string report;
        try { report = await _orchestrator.PruneAsync(System.Text.Json.JsonSerializer.Serialize(request, Storage.EventSerializer.Options), cancellationToken); }
        catch (InvalidOperationException refused) { throw new Orchestration.Retention.PruneRefusedException(refused.Message); }
        return System.Text.Json.JsonSerializer.Deserialize<Orchestration.Retention.PruneReport>(report, Storage.EventSerializer.Options)!;
    }

    /// <summary>Connects to the deployment's PostgreSQL, RabbitMQ and blob storage; throws naming every missing setting.</summary>
    public static async Task<DistributedClient> OpenAsync(DistributedSettings settings, CancellationToken cancellationToken = default)
    {
        settings.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs));
        var stores = await PostgresStores.OpenAsync(settings, cancellationToken);
        try
        {
            var orchestrator = await OrchestratorClient.ConnectAsync(new Uri(settings.RabbitMq), settings.OrchestratorQueue, settings.CommandTimeout, cancellationToken);
            return new DistributedClient(stores, orchestrator, new AzureBlobStore(settings.Blobs, settings.BlobContainer));
        }
        catch
        {
            await stores.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await _orchestrator.DisposeAsync();
        await _stores.DisposeAsync();
    }
}
