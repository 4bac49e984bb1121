using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Embedded;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Workers;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Hosting;

/// <summary>
/// The whole engine in one process: a file event store, a local blob store, MassTransit's in-memory
/// transport, the orchestrator (runtime, dispatcher, timeout manager) and N worker slots.
/// </summary>
public sealed class EmbeddedEngine : Engine
{
    private readonly IHost _host;

    private EmbeddedEngine(IHost host) => _host = host;

    /// <inheritdoc/>
    public override IEventStore Events => _host.Services.GetRequiredService<IEventStore>();
    /// <inheritdoc/>
    public override IBlobStore Blobs => _host.Services.GetRequiredService<IBlobStore>();
    /// <inheritdoc/>
    /// <summary>The orchestrator's runtime, in this process: commands to processes, and what it counted.</summary>
    public ProcessRuntime Runtime => _host.Services.GetRequiredService<ProcessRuntime>();
    /// <inheritdoc/>
    public override async Task SendAsync(Processes.IProcessCommand command, CancellationToken cancellationToken = default) =>
        await Runtime.SendAsync(command).WaitAsync(cancellationToken);
    /// <inheritdoc/>
    public override Task<Orchestration.Retention.PruneReport> PruneAsync(Orchestration.Retention.PruneRequest request, CancellationToken cancellationToken = default) =>
        _host.Services.GetRequiredService<Retention.Pruner>().PruneAsync(request, cancellationToken);
    /// <inheritdoc/>
    public override RuntimeCounters Counters => Runtime.Counters;
    /// <summary>The live workers: the in-process one.</summary>
    public WorkerRegistry Workers => _host.Services.GetRequiredService<WorkerRegistry>();

    /// <summary>The C# steps its in-process worker has: the only worker there is, so a graph needing another cannot run here.</summary>
    public CodeStepRegistry Steps => _host.Services.GetRequiredService<CodeStepRegistry>();

    /// <summary>Starts the whole engine in this process on <paramref name="options"/>' data directory, with the C# steps of <paramref name="setup"/>.</summary>
    public static async Task<EmbeddedEngine> StartAsync(EngineOptions options, OrchestrationSetup? setup = null, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        AddServices(builder.Services, options, setup ?? OrchestrationSetup.Empty);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new EmbeddedEngine(host);
    }

    /// <summary>
    /// The whole engine as services of a host: what <see cref="StartAsync"/> runs, and what
    /// <c>AddOrchestration</c> adds to a program's own host in the embedded role.
    /// </summary>
    public static void AddServices(IServiceCollection services, EngineOptions options, OrchestrationSetup setup)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IEventStore>(_ =>
        {
            var store = new FileEventStore(options.EventsDirectory, options.FlushToDisk);
            try { store.RefuseUnnamespacedAsync($"in '{options.EventsDirectory}'").GetAwaiter().GetResult(); } // read from disk, synchronously
            catch { store.Dispose(); throw; }
            return store;
        });
        services.AddSingleton<ICheckpointStore>(_ => new FileCheckpointStore(options.CheckpointsDirectory));
        services.AddSingleton(sp => new FoldedProcessList(sp.GetRequiredService<IEventStore>(), options.ProcessListFile));
        services.AddSingleton<IProcessList>(sp => sp.GetRequiredService<FoldedProcessList>());
        services.AddHostedService(sp => new ProcessListSnapshots(sp.GetRequiredService<FoldedProcessList>(), sp.GetRequiredService<ILogger<ProcessListSnapshots>>()));
        services.AddSingleton<IBlobStore>(_ => new LocalBlobStore(options.BlobsDirectory));
        services.AddSingleton<ITaskCache>(sp => new FileTaskCache(options.CacheDirectory, sp.GetRequiredService<IBlobStore>()));
        services.AddSingleton<ITaskQueue>(sp => new MassTransitTaskQueue(sp.GetRequiredService<ISendEndpointProvider>(), isDurable: false, publish: sp.GetRequiredService<IBus>()));
        services.AddSingleton(new ProcessRuntimeOptions(SingleWriter: true)); // the event log is locked by this process
        var labels = new Dictionary<string, string>(options.Labels ?? new Dictionary<string, string>()) { ["mode"] = "embedded" };
        var worker = new WorkerIdentity(WorkerId.From($"local-{Environment.ProcessId}"), labels, options.Workers);
        // The in-process worker is known from the start (and beats like a remote one): steps placed by label need no
        // warm-up. Registered before the orchestrator's services, so it is in the registry before the placer starts.
        services.AddSingleton<IHostedService>(sp => new InProcessWorkerAnnouncement(sp.GetRequiredService<WorkerRegistry>(), worker, sp.GetRequiredService<CodeStepRegistry>()));
        services.AddOrchestrator(options.Schedules, placementWarmUp: TimeSpan.Zero);
        services.AddWorker(worker, EngineServices.OrchestratorQueue, options.ScratchDirectory, setup, options.LocalRoots);

        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RunTaskConsumer>();
            bus.AddConsumer<StopProcessTasksConsumer>();
            bus.AddConsumer<TaskResultConsumer>();
            bus.AddConsumer<WorkerStatusConsumer>();
            bus.AddConsumer<ProcessCommandConsumer>();
            bus.AddConsumer<Retention.PruneRequestConsumer>();
            bus.UsingInMemory((context, transport) =>
            {
                EngineServices.WorkerEndpoints(transport, context, EngineServices.QueuesOf(context, "", worker), options.Workers, options.Workers);
                transport.ReceiveEndpoint(EngineServices.OrchestratorQueue, endpoint => EngineServices.OrchestratorEndpoint(endpoint, context));
            });
        });

        services.GracefulStop(options.Grace);
        services.AddSingleton<Engine>(sp => new HostedEngine(sp));
    }

    private sealed class InProcessWorkerAnnouncement(WorkerRegistry registry, WorkerIdentity worker, CodeStepRegistry steps) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            registry.Record(new WorkerStatus(worker.Id, worker.Labels, worker.Slots, [], TimeProvider.System.GetUtcNow(), Steps: steps.Keys));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(stopping.Token);
        await _host.Services.GetRequiredService<ProcessRuntime>().DisposeAsync();
        _host.Dispose();
    }
}
