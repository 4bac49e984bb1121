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

namespace Orchestration.Adapters.Hosting;

/// <summary>
/// The whole engine in one process: a file event store, a local blob store, MassTransit's in-memory
/// transport, the orchestrator (runtime, dispatcher, timeout manager) and N worker slots.
/// </summary>
public sealed class EmbeddedEngine : Engine
{
    private readonly IHost _host;

    private EmbeddedEngine(IHost host) => _host = host;

    public override IEventStore Events => _host.Services.GetRequiredService<IEventStore>();
    public override IBlobStore Blobs => _host.Services.GetRequiredService<IBlobStore>();
    public override ProcessRuntime Runtime => _host.Services.GetRequiredService<ProcessRuntime>();
    public WorkerRegistry Workers => _host.Services.GetRequiredService<WorkerRegistry>();

    public static async Task<EmbeddedEngine> StartAsync(EngineOptions options, Action<CodeStepRegistry>? registerSteps = null, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        var services = builder.Services;

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IEventStore>(_ => new FileEventStore(options.EventsDirectory, options.FlushToDisk));
        services.AddSingleton<ICheckpointStore>(_ => new FileCheckpointStore(options.CheckpointsDirectory));
        services.AddSingleton<IBlobStore>(_ => new LocalBlobStore(options.BlobsDirectory));
        services.AddSingleton<ITaskQueue>(sp => new MassTransitTaskQueue(sp.GetRequiredService<ISendEndpointProvider>(), isDurable: false));
        services.AddSingleton(new ProcessRuntimeOptions(SingleWriter: true)); // the event log is locked by this process
        // The in-process worker is known from the start (and beats like a remote one): steps placed by label need no warm-up.
        services.AddOrchestrator(options.Schedules, placementWarmUp: TimeSpan.Zero);
        var labels = new Dictionary<string, string>(options.Labels ?? new Dictionary<string, string>()) { ["mode"] = "embedded" };
        var worker = new WorkerIdentity(WorkerId.From($"local-{Environment.ProcessId}"), labels, options.Workers);
        services.AddWorker(worker, EngineServices.OrchestratorQueue, options.ScratchDirectory, registerSteps, options.LocalRoots);

        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RunTaskConsumer>();
            bus.AddConsumer<TaskResultConsumer>();
            bus.AddConsumer<WorkerStatusConsumer>();
            bus.UsingInMemory((context, transport) =>
            {
                EngineServices.WorkerEndpoints(transport, context, MassTransitTaskQueue.QueuesOf("", worker.Id, worker.Labels), options.Workers, options.Workers);
                transport.ReceiveEndpoint(EngineServices.OrchestratorQueue, endpoint => EngineServices.OrchestratorEndpoint(endpoint, context));
            });
        });

        services.GracefulStop(options.Grace);

        var host = builder.Build();
        host.Services.GetRequiredService<WorkerRegistry>().Record(new WorkerStatus(worker.Id, worker.Labels, worker.Slots, [], TimeProvider.System.GetUtcNow()));
        await host.StartAsync(cancellationToken);
        return new EmbeddedEngine(host);
    }

    public override async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(stopping.Token);
        await _host.Services.GetRequiredService<ProcessRuntime>().DisposeAsync();
        _host.Dispose();
    }
}
