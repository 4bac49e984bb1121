using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Embedded;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts;
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
public sealed class EmbeddedEngine : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedEngine(IHost host) => _host = host;

    public IEventStore Events => _host.Services.GetRequiredService<IEventStore>();
    public IBlobStore Blobs => _host.Services.GetRequiredService<IBlobStore>();
    public ProcessRuntime Runtime => _host.Services.GetRequiredService<ProcessRuntime>();

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
        services.AddSingleton(sp => new ProcessRuntime(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ITaskQueue>(sp => new MassTransitTaskQueue(sp.GetRequiredService<ISendEndpointProvider>(), isDurable: false));
        AddWorker(services, options, registerSteps);
        AddFollowers(services);

        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RunTaskConsumer>();
            bus.AddConsumer<TaskResultConsumer>();
            bus.UsingInMemory((context, transport) =>
            {
                transport.ReceiveEndpoint(MassTransitTaskQueue.QueueName, endpoint =>
                {
                    endpoint.ConcurrentMessageLimit = options.Workers;
                    endpoint.ConfigureConsumer<RunTaskConsumer>(context);
                });
                transport.ReceiveEndpoint("orchestrator", endpoint =>
                {
                    // Many results in flight at once let the runtime write them in few appends (group commit).
                    endpoint.PrefetchCount = 1024;
                    endpoint.ConcurrentMessageLimit = 1024;
                    endpoint.ConfigureConsumer<TaskResultConsumer>(context);
                });
            });
        });

        services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.ConsumerStopTimeout = options.Grace;
        });

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new EmbeddedEngine(host);
    }

    /// <summary>Starts a process, or finds it already started (the same id again resumes rather than restarts).</summary>
    public async Task<ProcessState> StartOrResumeAsync(StartProcess start)
    {
        var existing = await Events.LoadAsync(start.ProcessId);
        if (existing.Status == ProcessStatus.NotStarted)
            await Runtime.SendAsync(start);
        return await Events.LoadAsync(start.ProcessId);
    }

    /// <summary>
    /// Follows a process's events until it ends, calling <paramref name="progress"/> with its state after each batch.
    /// </summary>
    public async Task<ProcessState> WaitForEndAsync(ProcessId id, Action<ProcessState>? progress = null, CancellationToken cancellationToken = default)
    {
        var state = new ProcessState();
        long version = 0;
        while (true)
        {
            var head = await Events.HeadAsync(cancellationToken);
            await foreach (var stored in Events.ReadStreamAsync(ProcessStreams.StreamOf(id), version, cancellationToken))
            {
                ProcessState.Evolve(state, stored.Event);
                version = stored.Version;
            }
            progress?.Invoke(state);
            if (state.HasEnded) return state;
            await Events.WaitForEventsAsync(head, TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(stopping.Token);
        await _host.Services.GetRequiredService<ProcessRuntime>().DisposeAsync();
        _host.Dispose();
    }

    private static void AddWorker(IServiceCollection services, EngineOptions options, Action<CodeStepRegistry>? registerSteps)
    {
        services.AddSingleton(_ => new SandboxPool(options.ScratchDirectory, options.Workers));
        services.AddSingleton(_ =>
        {
            var registry = new CodeStepRegistry().Add(new NoOpStep());
            registerSteps?.Invoke(registry);
            return registry;
        });
        services.AddSingleton(sp => new TaskRunner(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<SandboxPool>(),
            sp.GetRequiredService<CodeStepRegistry>(), WorkerId.From($"local-{Environment.ProcessId}")));
    }

    // Registered as plain IHostedService singletons: AddHostedService would keep only the first of two FollowerServices.
    private static void AddFollowers(IServiceCollection services)
    {
        services.AddSingleton<IHostedService>(sp => new FollowerService("dispatcher",
            new Dispatcher(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ICheckpointStore>(), sp.GetRequiredService<ITaskQueue>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ProcessRuntime>().Counters).RunAsync,
            sp.GetRequiredService<ILogger<FollowerService>>()));
        services.AddSingleton<IHostedService>(sp => new FollowerService("timeout manager",
            new TimeoutManager(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ProcessRuntime>(), sp.GetRequiredService<TimeProvider>()).RunAsync,
            sp.GetRequiredService<ILogger<FollowerService>>()));
    }
}
