using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.Messaging;
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
/// The two halves of the engine as service registrations, shared by the embedded engine (both halves in one
/// process) and the distributed hosts (one half per process). The adapters behind the ports are chosen by the caller.
/// </summary>
public static class EngineServices
{
    /// <summary>The embedded engine's results queue (a deployment prefixes it: <c>Orchestration:QueuePrefix</c>).</summary>
    public const string OrchestratorQueue = "orchestrator";

    /// <summary>
    /// The orchestrator: runtime, and the log followers feeding the dispatcher, timeout manager and placer over the registered event store and task queue, and a
    /// scheduler when <paramref name="schedules"/> holds any. Steps placed by label wait <paramref name="placementWarmUp"/>
    /// after a start (default <see cref="Placer.DefaultWarmUp"/>) for the registry to hear every live worker. Unless
    /// <paramref name="sharded"/>, one follower reads the whole log and the scheduler runs for the host's lifetime; a
    /// sharded orchestrator runs them for the shards it owns (<see cref="Sharding.ShardOwnership"/>).
    /// </summary>
    public static IServiceCollection AddOrchestrator(this IServiceCollection services, GraphCatalog? schedules = null, TimeSpan? placementWarmUp = null, bool sharded = false)
    {
        services.AddSingleton(sp => new ProcessRuntime(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ProcessRuntimeOptions>()));
        services.AddSingleton(sp => new WorkerRegistry(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReuseGate>();
        services.AddSingleton(sp => new Retention.Pruner(sp.GetRequiredService<IEventStore>(), sp.GetService<IBlobStore>(), sp.GetService<ITaskCache>(),
            sp.GetRequiredService<IProcessList>(), sp.GetRequiredService<ProcessRuntime>(), sp.GetRequiredService<ReuseGate>(), sp.GetRequiredService<TimeProvider>()));
        // One reader of a shard's log feeds the dispatcher, the timeout manager, the placer and the speculator from one shared view.
        services.AddSingleton(sp => new LogFollowers(shard =>
        {
            var clock = sp.GetRequiredService<TimeProvider>();
            var runtime = sp.GetRequiredService<ProcessRuntime>();
            var registry = sp.GetRequiredService<WorkerRegistry>();
            var memoizer = sp.GetService<ITaskCache>() is { } cache ? new Memoizer(cache, runtime, sp.GetRequiredService<ReuseGate>()) : null;
            IFollowerHandler[] handlers =
            [
                new Dispatcher(sp.GetRequiredService<ITaskQueue>(), clock, runtime.Counters, workers: registry, memoizer: memoizer),
                new TimeoutManager(runtime, clock),
                new Placer(runtime, registry, clock, placementWarmUp ?? Placer.DefaultWarmUp),
                new Speculator(runtime, clock),
                .. (memoizer is null ? Array.Empty<IFollowerHandler>() : [memoizer]),
            ];
            return new LogFollower(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ICheckpointStore>(), handlers, clock, shard: shard);
        }));
        if (schedules is { Schedules.Count: > 0 })
            services.AddSingleton(sp => new DeploymentDuty("scheduler",
                new Scheduler(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ProcessRuntime>(), schedules, sp.GetRequiredService<TimeProvider>()).RunAsync));
        if (sharded) return services;
        // Plain IHostedService singletons: AddHostedService would keep only the first of two FollowerServices.
        services.AddSingleton<IHostedService>(sp => new FollowerService("log follower", sp.GetRequiredService<LogFollowers>().Of(Shard.All).RunAsync,
            sp.GetRequiredService<ILogger<FollowerService>>()));
        services.AddSingleton<IHostedService>(sp => new DutiesService(sp.GetServices<DeploymentDuty>(), sp.GetRequiredService<ILogger<FollowerService>>()));
        return services;
    }

    /// <summary>
    /// A worker: task slots with their sandboxes, running tasks over the registered blob store and its allowed local
    /// roots, sending results to and announcing itself (labels, slots, running tasks) to the orchestrator that reads
    /// <paramref name="orchestratorQueue"/>.
    /// </summary>
    /// <param name="beats">Where its status beats go: by default the orchestrator's queue.</param>
    public static IServiceCollection AddWorker(this IServiceCollection services, WorkerIdentity worker, string orchestratorQueue, string scratchDirectory,
        OrchestrationSetup setup, LocalRoots? localRoots = null, Uri? beats = null)
    {
        services.TryAddSingleton(FaultInjection.None);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(ResultsAddress.ForQueue(orchestratorQueue));
        services.AddSingleton<RunningTasks>();
        services.AddSingleton(sp => new ResultBatches(sp.GetRequiredService<IBus>()));
        services.AddSingleton<IHostedService>(sp => new WorkerBeat(worker with { Steps = sp.GetRequiredService<CodeStepRegistry>().Keys }, sp.GetRequiredService<RunningTasks>(), sp.GetRequiredService<ISendEndpointProvider>(),
            beats ?? new Uri($"queue:{orchestratorQueue}"), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WorkerBeat>>()));
        services.AddSingleton(_ => new SandboxPool(scratchDirectory, worker.Slots));
        services.AddSingleton(setup.CreateSteps);
        services.AddSingleton(sp => new TaskRunner(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<SandboxPool>(), sp.GetRequiredService<CodeStepRegistry>(),
            worker.Id, localRoots, worker.Labels));
        return services;
    }

    /// <summary>
    /// Results in flight at once let the runtime write many in one append (group commit). The clients' queue
    /// (<paramref name="clients"/>) also takes prunes and workers' beats; a shard's queue takes its processes' results and commands.
    /// </summary>
    public static void OrchestratorEndpoint(IReceiveEndpointConfigurator endpoint, IRegistrationContext context, bool clients = true)
    {
        endpoint.PrefetchCount = 1024;
        endpoint.ConcurrentMessageLimit = 1024;
        endpoint.ConfigureConsumeTopology = false; // workers send here directly (see ResultsAddress); no exchange of other deployments feeds it
        endpoint.ConfigureConsumer<TaskResultConsumer>(context);
        endpoint.ConfigureConsumer<ProcessCommandConsumer>(context);
        if (!clients) return;
        endpoint.ConfigureConsumer<WorkerStatusConsumer>(context);
        endpoint.ConfigureConsumer<Retention.PruneRequestConsumer>(context);
    }

    /// <summary>The queues a worker reads, its C# steps' among them (<see cref="MassTransitTaskQueue.QueuesOf"/>).</summary>
    public static IEnumerable<string> QueuesOf(IServiceProvider services, string queuePrefix, WorkerIdentity worker) =>
        MassTransitTaskQueue.QueuesOf(queuePrefix, worker.Id, worker.Labels, services.GetRequiredService<CodeStepRegistry>().Keys);

    /// <summary>
    /// A worker's receive endpoints, one per queue it reads (<see cref="MassTransitTaskQueue.QueuesOf"/>). On RabbitMQ they
    /// are priority queues with the arguments the orchestrator declares them with too (<see cref="PriorityTaskQueues"/>):
    /// RabbitMQ refuses a redeclaration that differs.
    /// </summary>
    public static void WorkerEndpoints(IReceiveConfigurator transport, IRegistrationContext context, IEnumerable<string> queues, int slots, int prefetch)
    {
        foreach (var queue in queues) transport.ReceiveEndpoint(queue, endpoint => WorkerEndpoint(endpoint, context, slots, prefetch));
        // A queue of the worker's own for stops, bound to their exchange (every worker gets each one) and gone with the worker.
        transport.ReceiveEndpoint(new TemporaryEndpointDefinition(), DefaultEndpointNameFormatter.Instance,
            endpoint => endpoint.ConfigureConsumer<StopProcessTasksConsumer>(context));
    }

    /// <summary>
    /// A worker competes for tasks: at most <paramref name="slots"/> at once, a few more fetched ahead. It reads several
    /// queues this way (shared, its own, its labels'); a task taken beyond its slots waits for a free sandbox.
    /// </summary>
    private static void WorkerEndpoint(IReceiveEndpointConfigurator endpoint, IRegistrationContext context, int slots, int prefetch)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
            foreach (var (key, value) in PriorityTaskQueues.Arguments()) rabbit.SetQueueArgument(key, value);
        endpoint.PrefetchCount = Math.Max(prefetch, slots);
        endpoint.ConcurrentMessageLimit = slots;
        endpoint.ConfigureConsumer<RunTaskConsumer>(context);
    }

    /// <summary>On shutdown, running tasks get <paramref name="grace"/> to finish; then they are cancelled and go back to the queue.</summary>
    public static void GracefulStop(this IServiceCollection services, TimeSpan grace)
    {
        services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.ConsumerStopTimeout = grace;
            host.StopTimeout = grace + TimeSpan.FromSeconds(15);
        });
        // The generic host gives its services 30 s to stop by default, which would cut a longer grace short.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = grace + TimeSpan.FromSeconds(20));
    }
}
