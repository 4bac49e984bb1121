using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestration.Adapters.AzureBlob;
using Orchestration.Adapters.Messaging;
using Orchestration.Adapters.Postgres;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Workers;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Hosting;

/// <summary>
/// How a worker process runs: its name (as it appears in <c>describe</c>), task slots, prefetch, scratch space, and the
/// labels it announces to the orchestrator (e.g. <c>region=EU</c>).
/// </summary>
public sealed record WorkerOptions(string Name, int Slots, int Prefetch, string ScratchDirectory, TimeSpan ShutdownGrace,
    IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>
/// The distributed deployment's two processes on the .NET Generic Host: one orchestrator (PostgreSQL event store,
/// RabbitMQ) and any number of workers (RabbitMQ, Azure Blob storage). Configuration comes from appsettings.json and
/// environment variables; SIGTERM stops them gracefully (a worker finishes or hands back its running tasks).
/// </summary>
public static class DistributedHosts
{
    /// <param name="configure">Adds to the host what the engine itself does not need (the dashboard, from the Operations project).</param>
    public static async Task<IHost> OrchestratorAsync(DistributedSettings settings, CancellationToken cancellationToken, Action<IServiceCollection>? configure = null)
    {
        settings.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq));
        var stores = await PostgresStores.OpenAsync(settings.Postgres, settings.Schema, cancellationToken);
        var builder = NewBuilder();
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(stores);
        services.AddSingleton<IEventStore>(stores.Events);
        services.AddSingleton<ICheckpointStore>(stores.Checkpoints);
        services.AddSingleton(settings.Faults);
        services.AddSingleton<ITaskQueue>(sp => WithFaults(new MassTransitTaskQueue(sp.GetRequiredService<ISendEndpointProvider>(), isDurable: true, settings.TaskQueue), settings.Faults));
        services.AddHostedService(sp => new ShutdownReport(sp.GetRequiredService<ProcessRuntime>().Counters.ToString, settings.Faults));
        services.AddOrchestrator();
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<TaskResultConsumer>();
            bus.AddConsumer<WorkerStatusConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                RabbitMqTransport.Host(rabbit, new Uri(settings.RabbitMq));
                rabbit.ReceiveEndpoint(settings.OrchestratorQueue, endpoint =>
                {
                    // A store outage is waited out, not turned into error-queue entries.
                    endpoint.UseMessageRetry(retry => retry.Exponential(20, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(500)));
                    EngineServices.OrchestratorEndpoint(endpoint, context);
                });
            });
        });
        services.GracefulStop(TimeSpan.FromSeconds(10));
        configure?.Invoke(services);
        return builder.Build();
    }

    public static IHost Worker(DistributedSettings settings, WorkerOptions options, Action<CodeStepRegistry>? registerSteps = null)
    {
        settings.Require(nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs));
        var builder = NewBuilder();
        var services = builder.Services;
        services.AddSingleton<IBlobStore>(_ => new AzureBlobStore(settings.Blobs, settings.BlobContainer));
        services.AddSingleton(settings.Faults);
        services.AddHostedService(_ => new ShutdownReport(() => $"worker {options.Name}", settings.Faults));
        services.AddWorker(new WorkerIdentity(WorkerId.From(options.Name), options.Labels ?? new Dictionary<string, string>(), options.Slots),
            settings.OrchestratorQueue, options.ScratchDirectory, registerSteps);
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RunTaskConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                RabbitMqTransport.Host(rabbit, new Uri(settings.RabbitMq));
                rabbit.ReceiveEndpoint(settings.TaskQueue, endpoint => EngineServices.WorkerEndpoint(endpoint, context, options.Slots, options.Prefetch));
            });
        });
        services.GracefulStop(options.ShutdownGrace);
        return builder.Build();
    }

    private static ITaskQueue WithFaults(ITaskQueue queue, FaultInjection faults) => faults.DuplicateShare > 0 ? new DuplicatingTaskQueue(queue, faults) : queue;

    private static HostApplicationBuilder NewBuilder() =>
        Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
}
