using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.Messaging;
using Orchestration.Adapters.Postgres;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Bench;

/// <summary>
/// How long one task and one step take when nothing queues: single no-op task processes run one after another, timed
/// from their recorded events (scheduled → confirmed, and the worker's own run time), and a chain of 20 dependent
/// one-task steps, timed from its recorded start to its recorded end and from the client. Beside them, the raw round trip of the same transport measured in the same run
/// (one RunTask to a consumer, one TaskCompleted back, one at a time). Embedded with fsync on; <c>--distributed</c>
/// adds an orchestrator and two worker processes on PostgreSQL and RabbitMQ.
/// </summary>
internal static class LatencyBench
{
    private const int Singles = 200, Chains = 5, ChainSteps = 20, RawTrips = 500;
    private static readonly TimeSpan EmbeddedGoal = TimeSpan.FromMilliseconds(2), DistributedGoal = TimeSpan.FromMilliseconds(15);

    public static async Task<int> RunAsync(string[] args)
    {
        Console.WriteLine($"latency: {Singles} one-task processes one after another, {Chains} chains of {ChainSteps} dependent one-task steps (no-op C# steps)");
        var raw = await RawRoundTripsAsync(services => services.AddMassTransit(bus => bus.UsingInMemory((_, memory) => Endpoints(memory, "lat"))));
        var data = Directory.CreateTempSubdirectory("orch-latency-").FullName;
        try
        {
            await using var engine = await EmbeddedEngine.StartAsync(new EngineOptions(data, Environment.ProcessorCount, FlushToDisk: true));
            await MeasureAsync("embedded (fsync on)", engine, raw, "raw MassTransit in-memory round trip", EmbeddedGoal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
        if (!args.Contains("--distributed")) return 0;

        var settings = DistributedBench.NewSettings();
        try
        {
            var queue = $"{settings.QueuePrefix}lat";
            var rabbitRaw = await RawRoundTripsAsync(services => services.AddMassTransit(bus => bus.UsingRabbitMq((_, rabbit) =>
            {
                RabbitMqTransport.Host(rabbit, new Uri(settings.RabbitMq));
                Endpoints(rabbit, queue);
            })), queue);
            using (var management = new RabbitMqManagement(new Uri(settings.RabbitMq))) await management.DeleteAsync([queue, $"{queue}-replies"]);
            await using var hosts = await DistributedBench.EngineHosts.StartAsync(settings);
            var chain = await MeasureAsync("distributed (orchestrator + 2 workers, PostgreSQL + RabbitMQ)", hosts.Client, rabbitRaw, "raw MassTransit on RabbitMQ round trip", DistributedGoal);
            var appends = await AppendsAsync(hosts.Client, chain, settings with { Schema = $"{settings.Schema}_appends" });
            Console.WriteLine($"    one append of a step's events to PostgreSQL    {appends}   (the second limit: a step waits for one append and one round trip, {appends.P50 + rabbitRaw.P50:0.00} ms at p50)");
        }
        finally
        {
            await DistributedBench.CleanUpAsync(settings, [settings, settings with { Schema = $"{settings.Schema}_appends" }]);
        }
        return 0;
    }

    /// <summary>
    /// The store's own latency, the floor under a distributed step: a chain's stored events appended again to new
    /// streams in a schema of their own, one step's events per append as its orchestrator appended them (each append
    /// ends with the next step's TaskScheduled), one append at a time.
    /// </summary>
    private static async Task<Percentiles> AppendsAsync(Engine engine, ProcessId chain, DistributedSettings settings)
    {
        var events = await engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(chain)).Select(e => e.Event).ToListAsync();
        var steps = new List<List<IProcessEvent>> { new() };
        foreach (var e in events)
        {
            steps[^1].Add(e);
            if (e is TaskScheduled) steps.Add([]);
        }
        await using var stores = await PostgresStores.OpenAsync(settings);
        var times = new List<double>();
        for (var copy = 0; copy < 10; copy++)
        {
            long version = 0;
            foreach (var step in steps.Where(s => s.Count > 0))
            {
                var clock = Stopwatch.StartNew();
                await stores.Events.AppendAsync([new StreamAppend($"process-append-{copy}", version, step)]);
                if (copy > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first copy warms up
                version += step.Count;
            }
        }
        return new Percentiles(times);
    }

    private static async Task<ProcessId> MeasureAsync(string name, Engine engine, Percentiles raw, string rawName, TimeSpan goal)
    {
        await RunAsync(engine, Single()); // warm-up
        var (toConfirm, running, whole) = (new List<double>(), new List<double>(), new List<double>());
        for (var i = 0; i < Singles; i++)
        {
            var (id, wall) = await RunAsync(engine, Single());
            whole.Add(wall.TotalMilliseconds);
            var events = await engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(id)).Select(e => e.Event).ToListAsync();
            var confirmed = events.OfType<TaskConfirmed>().Single();
            toConfirm.Add((confirmed.At - events.OfType<StepStarted>().Single().At).TotalMilliseconds);
            running.Add(confirmed.Metrics.Duration.TotalMilliseconds);
        }
        var (engineSide, clientSide) = (new List<double>(), new List<double>());
        var chain = default(ProcessId);
        for (var i = 0; i < Chains; i++)
        {
            var (id, wall) = await RunAsync(engine, Chain());
            chain = id;
            var events = await engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(id)).Select(e => e.Event).ToListAsync();
            engineSide.Add((events.OfType<ProcessCompleted>().Single().At - events.OfType<ProcessStarted>().Single().At).TotalMilliseconds / ChainSteps);
            clientSide.Add(wall.TotalMilliseconds / ChainSteps);
        }

        Console.WriteLine($"  {name}:");
        Console.WriteLine($"    {rawName,-46} {raw}   (the limit)");
        // A task that ends within a second never reports its start (a message and an event saved), so the start is not timed apart.
        Console.WriteLine($"    schedule -> confirmed (recorded)               {new Percentiles(toConfirm)}   ({new Percentiles(toConfirm).P50 / raw.P50:0.0}x the raw p50)");
        Console.WriteLine($"      of which the step ran on its worker          {new Percentiles(running)}");
        Console.WriteLine($"    one-task process, start to end seen by client  {new Percentiles(whole)}");
        var perStep = Median(engineSide);
        Console.WriteLine($"    chain of {ChainSteps} steps, per step (recorded, median)  {perStep,7:0.00} ms          goal <= {goal.TotalMilliseconds:0} ms: {(perStep <= goal.TotalMilliseconds ? "met" : "not met")} " +
                          $"({perStep / raw.P50:0.0}x the raw p50; runs: {string.Join(", ", engineSide.Select(c => c.ToString("0.00")))})");
        Console.WriteLine($"    chain of {ChainSteps} steps, per step (client wall, median) {Median(clientSide),6:0.00} ms          (start and end seen by the client included)");
        return chain;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<(ProcessId Id, TimeSpan Wall)> RunAsync(Engine engine, ProcessGraph graph)
    {
        var id = ProcessId.From($"latency-{Guid.NewGuid():N}");
        var clock = Stopwatch.StartNew();
        await engine.SendAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["none"] = [] }, new Dictionary<string, string>()));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var state = await engine.WaitForEndAsync(id, cancellationToken: deadline.Token);
        if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"latency bench process {state.Status}: {state.EndReason}");
        return (id, clock.Elapsed);
    }

    private static ProcessGraph Single() => ProcessGraph.Define("latency-single", 1).Reduce("noop", DataSource.Dataset("none"), StepWork.Code("noop")).Build();

    private static ProcessGraph Chain()
    {
        var graph = ProcessGraph.Define("latency-chain", 1).Reduce("step-1", DataSource.Dataset("none"), StepWork.Code("noop"));
        for (var s = 2; s <= ChainSteps; s++) graph = graph.Reduce($"step-{s}", DataSource.Step($"step-{s - 1}"), StepWork.Code("noop"));
        return graph.Build();
    }

    /// <summary>One consumer answering each RunTask with a TaskCompleted sent to the replies queue, as a worker answers its orchestrator.</summary>
    private static void Endpoints(IBusFactoryConfigurator bus, string queue)
    {
        bus.ReceiveEndpoint(queue, e => e.Handler<RunTask>(async c => await (await c.GetSendEndpoint(new Uri($"queue:{queue}-replies"))).Send(
            new TaskCompleted(c.Message.ProcessId, c.Message.TaskId, c.Message.Attempt, WorkerId.From("raw"), [], new Dictionary<string, string>(), TaskMetrics.None))));
        bus.ReceiveEndpoint($"{queue}-replies", e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.ConfigureConsumeTopology = false; // not bound to the engine's result exchange
            e.Handler<TaskCompleted>(_ =>
            {
                Volatile.Read(ref _reply)?.TrySetResult();
                return Task.CompletedTask;
            });
        });
    }

    private static TaskCompletionSource? _reply;

    private static async Task<Percentiles> RawRoundTripsAsync(Action<IServiceCollection> bus, string queue = "lat")
    {
        var services = new ServiceCollection();
        bus(services);
        await using var provider = services.BuildServiceProvider();
        var control = provider.GetRequiredService<IBusControl>();
        await control.StartAsync();
        try
        {
            var endpoint = await control.GetSendEndpoint(new Uri($"queue:{queue}"));
            var process = ProcessId.From("raw");
            var trips = new List<double>();
            for (var i = 0; i < RawTrips + 50; i++)
            {
                var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _reply, reply);
                var clock = Stopwatch.StartNew();
                await endpoint.Send(new RunTask(process, TaskId.For(process, "noop", i), 1, "noop", i, StepWork.Code("noop"), [], new Dictionary<string, string>(),
                    DateTimeOffset.UtcNow.AddMinutes(5), TimeSpan.FromSeconds(10)));
                await reply.Task.WaitAsync(TimeSpan.FromSeconds(30));
                if (i >= 50) trips.Add(clock.Elapsed.TotalMilliseconds); // the first 50 warm up
            }
            return new Percentiles(trips);
        }
        finally
        {
            await control.StopAsync();
        }
    }

    /// <summary>The median and the 99th percentile of some durations in milliseconds.</summary>
    private sealed class Percentiles(IReadOnlyCollection<double> milliseconds)
    {
        private readonly double[] _sorted = milliseconds.Order().ToArray();
        public double P50 => At(0.50);
        public double P99 => At(0.99);
        private double At(double q) => _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, (int)Math.Ceiling(q * _sorted.Length) - 1)];
        public override string ToString() => $"p50 {P50,7:0.00} ms, p99 {P99,7:0.00} ms";
    }
}
