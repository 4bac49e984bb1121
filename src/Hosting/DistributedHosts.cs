using Orchestration.Adapters.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.AzureBlob;
using Orchestration.Adapters.Messaging;
using Orchestration.Adapters.Postgres;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.LocalData;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Runtime;
using Orchestration.Hosting.Sharding;

namespace Orchestration.Hosting;

/// <summary>
/// How a worker process runs: its name (as it appears in <c>describe</c>), task slots, prefetch, scratch space, the
/// labels it announces to the orchestrator (e.g. <c>region=EU</c>) and the local roots its steps may read.
/// </summary>
public sealed record WorkerOptions(string Name, int Slots, int Prefetch, string ScratchDirectory, TimeSpan ShutdownGrace,
    IReadOnlyDictionary<string, string>? Labels = null, LocalRoots? LocalRoots = null);

/// <summary>
/// The distributed deployment's two processes on the .NET Generic Host: one orchestrator (PostgreSQL event store,
/// RabbitMQ) and any number of workers (RabbitMQ, Azure Blob storage). Configuration comes from appsettings.json and
/// environment variables; SIGTERM stops them gracefully (a worker finishes or hands back its running tasks).
/// </summary>
public static class DistributedHosts
{
    /// <param name="addServices">What the command line adds around the engine (telemetry, health checks, the dashboard).</param>
    public static async Task<IHost> OrchestratorAsync(DistributedSettings settings, CancellationToken cancellationToken, Action<IServiceCollection>? addServices = null, GraphCatalog? schedules = null)
    {
        settings.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq));
        // Opened before the host is built, so an unreachable database fails the start with its own message.
        var stores = await PostgresStores.OpenAsync(settings, cancellationToken);
        var builder = NewBuilder();
        AddOrchestratorServices(builder.Services, settings, schedules, _ => stores);
        addServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// The orchestrator as services of a host: runtime, dispatcher, timeout manager, placer and scheduler over PostgreSQL
    /// and RabbitMQ. It needs no graphs or steps of the program's: a process records its whole graph.
    /// </summary>
    /// <param name="schedules">Graphs whose schedules it fires (a schedule's graph comes from here: the orchestrator's program registers it).</param>
    /// <param name="openStores">The PostgreSQL stores; by default opened when first needed.</param>
    public static void AddOrchestratorServices(IServiceCollection services, DistributedSettings settings, GraphCatalog? schedules = null,
        Func<IServiceProvider, PostgresStores>? openStores = null)
    {
        settings.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(openStores ?? (_ => PostgresStores.OpenAsync(settings).GetAwaiter().GetResult()));
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<PostgresStores>().Events);
        services.AddSingleton<ICheckpointStore>(sp => sp.GetRequiredService<PostgresStores>().Checkpoints);
        services.AddSingleton<IProcessList>(sp => sp.GetRequiredService<PostgresStores>().Processes);
        // Each shard is owned by one orchestrator at a time, whose mailboxes are then the only writer of its process streams.
        var shards = new ShardRouting(settings.QueuePrefix, settings.Shards);
        services.AddSingleton(shards);
        services.AddSingleton(sp => new ShardOwnership(sp.GetRequiredService<PostgresStores>(), shards, sp.GetRequiredService<LogFollowers>(),
            sp.GetServices<DeploymentDuty>(), sp.GetRequiredService<ProcessRuntime>(), sp.GetRequiredService<IReceiveEndpointConnector>(),
            (endpoint, context) => OrchestratorEndpoint(endpoint, context, shard: true), sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ILogger<ShardOwnership>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ShardOwnership>());
        services.AddSingleton(new ProcessRuntimeOptions(SingleWriter: true));
        // Memoization checks that a recorded result's outputs are still in the blob store: without one configured, nothing is reused.
        if (!string.IsNullOrWhiteSpace(settings.Blobs))
        {
            // Also where a prune archives histories and deletes what nothing uses.
            services.AddSingleton<IBlobStore>(_ => new AzureBlobStore(settings.Blobs, settings.BlobContainer));
            services.AddSingleton<ITaskCache>(sp => sp.GetRequiredService<PostgresStores>().TaskCache(sp.GetRequiredService<IBlobStore>()));
        }
        services.AddSingleton(settings.Faults);
        services.AddSingleton(_ => new PriorityTaskQueues(new Uri(settings.RabbitMq)));
        services.AddSingleton<ITaskQueue>(sp => WithFaults(new MassTransitTaskQueue(sp.GetRequiredService<ISendEndpointProvider>(), isDurable: true, settings.TaskQueue, settings.QueuePrefix,
            sp.GetRequiredService<IBus>(), sp.GetRequiredService<PriorityTaskQueues>(), shards), settings.Faults));
        services.AddPoisonMessageCount();
        services.AddHostedService(sp => new IdleQueueExpiry(new Uri(settings.RabbitMq), settings.QueuePrefix, settings.IdleQueueExpiry, sp.GetRequiredService<ILogger<IdleQueueExpiry>>()));
        services.AddHostedService(sp => new ShutdownReport(() => $"{sp.GetRequiredService<ProcessRuntime>().Counters}, {sp.GetRequiredService<PoisonMessages>()}, " +
            ShutdownReport.CpuPerTask(sp.GetRequiredService<ProcessRuntime>().Counters.TasksConfirmed), settings.Faults));
        services.AddOrchestrator(schedules, sharded: true);
        if (settings.Retention.IsOn)
            services.AddSingleton(sp => new DeploymentDuty("scheduled prune", new Retention.ScheduledPrune(sp.GetRequiredService<Retention.Pruner>(), settings.Retention,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Retention.ScheduledPrune>>()).RunAsync));
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<TaskResultConsumer>();
            bus.AddConsumer<WorkerStatusConsumer>();
            bus.AddConsumer<ProcessCommandConsumer>();
            bus.AddConsumer<Retention.PruneRequestConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                RabbitMqTransport.Host(rabbit, new Uri(settings.RabbitMq));
                // Every orchestrator reads the clients' queue (handing commands on to their shards) and hears every worker's beats.
                rabbit.ReceiveEndpoint(settings.OrchestratorQueue, endpoint => OrchestratorEndpoint(endpoint, context, shard: false));
                rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition(), DefaultEndpointNameFormatter.Instance, endpoint =>
                {
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.Bind(ShardRouting.WorkerBeats(settings.QueuePrefix), exchange => exchange.ExchangeType = "fanout");
                    endpoint.ConfigureConsumer<WorkerStatusConsumer>(context);
                });
            });
        });
        services.GracefulStop(TimeSpan.FromSeconds(10));
    }

    /// <summary>The clients' queue (<paramref name="shard"/> false) or a shard's queue; a store outage is waited out, not turned into error-queue entries.</summary>
    private static void OrchestratorEndpoint(IReceiveEndpointConfigurator endpoint, IRegistrationContext context, bool shard)
    {
        endpoint.UseMessageRetry(retry => retry.Exponential(20, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(500)));
        EngineServices.OrchestratorEndpoint(endpoint, context, clients: !shard);
    }

    /// <summary>A worker process's host: the program's C# steps (<paramref name="setup"/>) on RabbitMQ and blob storage.</summary>
    public static IHost Worker(DistributedSettings settings, WorkerOptions options, OrchestrationSetup? setup = null, Action<IServiceCollection>? addServices = null)
    {
        var builder = NewBuilder();
        AddWorkerServices(builder.Services, settings, options, setup ?? OrchestrationSetup.Empty);
        addServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>A worker as services of a host: task slots running the program's C# steps and SQL, over RabbitMQ and blob storage.</summary>
    public static void AddWorkerServices(IServiceCollection services, DistributedSettings settings, WorkerOptions options, OrchestrationSetup setup)
    {
        settings.Require(nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs));
        services.AddSingleton<IBlobStore>(_ => new AzureBlobStore(settings.Blobs, settings.BlobContainer));
        services.AddSingleton(settings.Faults);
        services.AddPoisonMessageCount();
        services.AddHostedService(sp => new ShutdownReport(() => $"worker {options.Name}, {sp.GetRequiredService<PoisonMessages>()}", settings.Faults));
        var worker = new WorkerIdentity(WorkerId.From(options.Name), options.Labels ?? new Dictionary<string, string>(), options.Slots);
        services.AddWorker(worker, settings.OrchestratorQueue, options.ScratchDirectory, setup, options.LocalRoots,
            beats: new Uri($"exchange:{ShardRouting.WorkerBeats(settings.QueuePrefix)}?type=fanout"));
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RunTaskConsumer>();
            bus.AddConsumer<StopProcessTasksConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                RabbitMqTransport.Host(rabbit, new Uri(settings.RabbitMq));
                EngineServices.WorkerEndpoints(rabbit, context, EngineServices.QueuesOf(context, settings.QueuePrefix, worker), options.Slots, options.Prefetch);
            });
        });
        services.GracefulStop(options.ShutdownGrace);
    }

    private static void AddPoisonMessageCount(this IServiceCollection services)
    {
        services.AddSingleton<PoisonMessages>();
        services.AddReceiveObserver(sp => sp.GetRequiredService<PoisonMessages>());
    }

    private static ITaskQueue WithFaults(ITaskQueue queue, FaultInjection faults) => faults.DuplicateShare > 0 ? new DuplicatingTaskQueue(queue, faults) : queue;

    private static HostApplicationBuilder NewBuilder() =>
        Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
}
