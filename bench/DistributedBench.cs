using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Adapters.Messaging;
using Orchestration.Adapters.Postgres;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Bench;

/// <summary>
/// No-op tasks through one orchestrator process and two worker processes on PostgreSQL and RabbitMQ, next to the
/// raw MassTransit-on-RabbitMQ send-and-reply rate of the same messages with the same concurrency, measured in the
/// same run; and PostgreSQL appends with and without group commit. Needs scripts/services.sh up.
/// </summary>
internal static class DistributedBench
{
    private const int Slots = 2;
    private static readonly string[] Stores = ["marten"]; // the hand-written store was retired once Marten's figure passed it (README)

    private static string Rounds(IEnumerable<double> rounds) => string.Join(", ", rounds.Select(r => r.ToString("N0")));

    /// <summary>A deployment of its own on the local services (or those ORCH_POSTGRES, ORCH_RABBITMQ, ORCH_BLOBS name).</summary>
    internal static DistributedSettings NewSettings() => new()
    {
        Mode = "distributed",
        Postgres = Environment.GetEnvironmentVariable("ORCH_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=orch;Password=orch-dev;Database=orchestration",
        RabbitMq = Environment.GetEnvironmentVariable("ORCH_RABBITMQ") ?? "amqp://orch:orch-dev@127.0.0.1:5672/",
        Blobs = Environment.GetEnvironmentVariable("ORCH_BLOBS") ?? "UseDevelopmentStorage=true",
        Schema = $"bench_{Guid.NewGuid():N}"[..20],
        BlobContainer = $"bench{Guid.NewGuid():N}"[..20],
        QueuePrefix = $"bench-{Guid.NewGuid():N}-"[..20],
    };

    /// <summary>Drops the deployments' schemas and every queue and policy of the run.</summary>
    internal static async Task CleanUpAsync(DistributedSettings settings, IEnumerable<DistributedSettings> deployments)
    {
        await using var db = NpgsqlDataSource.Create(settings.Postgres);
        foreach (var deployment in deployments)
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{deployment.Schema}\" CASCADE").ExecuteNonQueryAsync();
        // Every queue of the run (the workers' own ones too) and the orchestrator's policy: nothing left on the broker.
        using var management = new RabbitMqManagement(new Uri(settings.RabbitMq));
        await management.DeleteAsync(await management.QueuesAsync(settings.QueuePrefix));
        await management.DeletePolicyAsync(IdleQueueExpiry.PolicyOf(settings.QueuePrefix));
        await new Azure.Storage.Blobs.BlobContainerClient(settings.Blobs, settings.BlobContainer).DeleteIfExistsAsync();
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var tasks = args.Length > 1 ? int.Parse(args[1]) : 5_000;
        var settings = NewSettings();
        Console.WriteLine($"distributed: {tasks:N0} no-op tasks, orchestrator + 2 worker processes x {Slots} slots, PostgreSQL (Marten) + RabbitMQ");
        // One deployment per event store, each in a schema and queues of its own, run in the same rounds as the raw loop.
        var deployments = Stores.ToDictionary(store => store, store => settings with
        {
            Schema = $"{settings.Schema}_{store}",
            QueuePrefix = $"{settings.QueuePrefix}{store}-",
        });
        try
        {
            // The broker's speed drifts during a run (its own disk writes and collections), so raw and engines take
            // turns, three times, and the best of each is compared.
            var raws = new List<double>();
            var engines = Stores.ToDictionary(store => store, _ => new List<double>());
            var hosts = new Dictionary<string, EngineHosts>();
            try
            {
                foreach (var store in Stores) hosts[store] = await EngineHosts.StartAsync(deployments[store]);
                for (var round = 0; round < 3; round++)
                {
                    raws.Add(await RawSendAndReplyAsync(settings, tasks));
                    foreach (var store in Stores) engines[store].Add(await hosts[store].RunAsync(tasks));
                }
                foreach (var store in Stores) Console.WriteLine($"  cpu of the hosts on {store}, all rounds: {hosts[store].CpuReport()}");
            }
            finally
            {
                foreach (var host in hosts.Values) await host.DisposeAsync();
            }
            var raw = raws.Max();
            Console.WriteLine($"  raw MassTransit on RabbitMQ send-and-reply (RunTask -> TaskCompleted): {raw,8:N0} msg/s  (rounds: {Rounds(raws)})");
            foreach (var store in Stores)
                Console.WriteLine($"  engine on {store,-6}: {engines[store].Max(),8:N0} tasks/s (rounds: {Rounds(engines[store])}), engine / raw, best of each: {engines[store].Max() / raw:P0}");
            foreach (var store in Stores)
            {
                var (single, grouped, replay) = await AppendsAsync(deployments[store]);
                Console.WriteLine($"  {store,-6} appends, one command per append:  {single,8:N0} events/s");
                Console.WriteLine($"  {store,-6} appends, 100 commands per append: {grouped,8:N0} events/s  ({grouped / single:0.0}x, group commit)");
                Console.WriteLine($"  {store,-6} replay of all events (pages of 1,000, a new instance): {replay,8:N0} events/s");
            }
        }
        finally
        {
            await CleanUpAsync(settings, deployments.Values);
        }
        return 0;
    }

    /// <summary>One orchestrator and two worker processes, started once and warmed up, and a client to run processes with.</summary>
    internal sealed class EngineHosts : IAsyncDisposable
    {
        private readonly List<Process> _hosts;
        private readonly DistributedClient _client;
        private readonly TimeSpan[] _cpuAtStart;

        private EngineHosts(List<Process> hosts, DistributedClient client) =>
            (_hosts, _client, _cpuAtStart) = (hosts, client, hosts.Select(h => h.TotalProcessorTime).ToArray());

        public static async Task<EngineHosts> StartAsync(DistributedSettings settings)
        {
            var bench = typeof(DistributedBench).Assembly.Location;
            var hosts = new List<Process>
            {
                Host(bench, settings, "host", "orchestrator"),
                Host(bench, settings, "host", "worker", "--name", "bench-w1", "--slots", $"{Slots}", "--prefetch", "8"),
                Host(bench, settings, "host", "worker", "--name", "bench-w2", "--slots", $"{Slots}", "--prefetch", "8"),
            };
            var client = await DistributedClient.OpenAsync(settings);
            await DistributedBench.RunAsync(client, 300); // warm-up: the hosts connect and JIT before anything is timed
            return new EngineHosts(hosts, client);
        }

        public DistributedClient Client => _client;

        /// <summary>The orchestrator's process (the dotnet host runs the program in its own process).</summary>
        public Process Orchestrator => _hosts[0];

        public async Task<double> RunAsync(int tasks)
        {
            var clock = Stopwatch.StartNew();
            await DistributedBench.RunAsync(_client, tasks);
            return tasks / clock.Elapsed.TotalSeconds;
        }

        public string CpuReport()
        {
            var cpu = _hosts.Select((h, i) => (h.TotalProcessorTime - _cpuAtStart[i]).TotalSeconds).ToArray();
            return $"orchestrator {cpu[0]:0.0} s, workers {cpu[1]:0.0} s + {cpu[2]:0.0} s";
        }

        public async ValueTask DisposeAsync()
        {
            await _client.DisposeAsync();
            foreach (var host in _hosts)
            {
                if (!host.HasExited) Process.Start("kill", ["-TERM", host.Id.ToString()])!.WaitForExit();
                if (!host.WaitForExit(TimeSpan.FromSeconds(30))) host.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task RunAsync(Engine client, int tasks)
    {
        var graph = ProcessGraph.Define("bench-noop", 1)
            .Reduce("count", DataSource.Dataset("none"), StepWork.Code("fan-out"), s => s.Param("count", tasks.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Map("noop", Metadata.Count("count", "count"), StepWork.Code("noop"))
            .Build();
        var id = ProcessId.From($"bench-{Guid.NewGuid():N}");
        await client.SendAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["none"] = [] }, new Dictionary<string, string>()));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(Math.Max(10, tasks / 10_000))); // 10 minutes, or more past 100,000 tasks
        var state = await client.WaitForEndAsync(id, cancellationToken: deadline.Token);
        if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"bench process {state.Status}: {state.EndReason}");
    }

    private static Process Host(string program, DistributedSettings settings, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(program);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["Orchestration__Mode"] = "distributed";
        info.Environment["Orchestration__Postgres"] = settings.Postgres;
        info.Environment["Orchestration__RabbitMq"] = settings.RabbitMq;
        info.Environment["Orchestration__Blobs"] = settings.Blobs;
        info.Environment["Orchestration__Schema"] = settings.Schema;
        info.Environment["Orchestration__BlobContainer"] = settings.BlobContainer;
        info.Environment["Orchestration__QueuePrefix"] = settings.QueuePrefix;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  [{args[0]}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Two competing "workers" (separate connections) with the engine's slots and prefetch, replies counted by a third.</summary>
    private static async Task<double> RawSendAndReplyAsync(DistributedSettings settings, int messages)
    {
        var queue = $"{settings.QueuePrefix}raw";
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        var workers = new List<ServiceProvider>();
        for (var w = 0; w < 2; w++)
            workers.Add(await Bus(settings, rabbit => rabbit.ReceiveEndpoint(queue, e =>
            {
                e.PrefetchCount = 8;
                e.ConcurrentMessageLimit = Slots;
                // Sent straight to the replies queue, as the engine's workers send results to their orchestrator.
                e.Handler<RunTask>(async c => await (await c.GetSendEndpoint(new Uri($"queue:{queue}-replies"))).Send(new TaskCompleted(c.Message.ProcessId, c.Message.TaskId,
                    c.Message.Attempt, WorkerId.From("raw"), [], new Dictionary<string, string> { ["rows"] = "0" }, TaskMetrics.None)));
            })));
        var replies = await Bus(settings, rabbit => rabbit.ReceiveEndpoint($"{queue}-replies", e =>
        {
            e.ConfigureConsumeTopology = false;
            e.PrefetchCount = 1024;
            e.ConcurrentMessageLimit = 1024;
            e.Handler<TaskCompleted>(_ =>
            {
                if (Interlocked.Increment(ref received) == messages + 200) done.TrySetResult();
                return Task.CompletedTask;
            });
        }));
        try
        {
            // Straight to the raw queue with the batch send the task queue uses (its routing would send a C# step's task to
            // that step's queue).
            var endpoint = await replies.GetRequiredService<IBusControl>().GetSendEndpoint(new Uri($"queue:{queue}"));
            var process = ProcessId.From("raw");
            RunTask Task(int i) => new(process, TaskId.For(process, "noop", i), 1, "noop", i, StepWork.Code("noop"), [],
                new Dictionary<string, string> { ["partition"] = $"{i}" }, DateTimeOffset.UtcNow.AddMinutes(5), TimeSpan.FromSeconds(10));
            await endpoint.SendBatch(Enumerable.Range(0, 200).Select(Task).ToArray()); // warm-up
            var clock = Stopwatch.StartNew();
            for (var sent = 0; sent < messages; sent += 500)
                await endpoint.SendBatch(Enumerable.Range(sent, Math.Min(500, messages - sent)).Select(Task).ToArray());
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            return messages / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var bus in workers.Append(replies))
            {
                await bus.GetRequiredService<IBusControl>().StopAsync();
                await bus.DisposeAsync();
            }
            // Gone before the engine runs: the replies queue is bound to the result exchange and would copy every result.
            using var management = new RabbitMqManagement(new Uri(settings.RabbitMq));
            await management.DeleteAsync([queue, $"{queue}-replies"]);
        }
    }

    private static async Task<ServiceProvider> Bus(DistributedSettings settings, Action<IRabbitMqBusFactoryConfigurator> configure)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, rabbit) =>
        {
            RabbitMqTransport.Host(rabbit, new Uri(settings.RabbitMq));
            configure(rabbit);
        }));
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IBusControl>().StartAsync();
        return provider;
    }

    private static async Task<(double Single, double Grouped, double Replay)> AppendsAsync(DistributedSettings settings)
    {
        var schema = settings.Schema + "_appends";
        try
        {
            double single, grouped;
            const int commands = 2_000;
            await using (var stores = await PostgresStores.OpenAsync(settings.Postgres, schema))
            {
                var store = stores.Events;
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < commands; i++)
                    await store.AppendAsync([new StreamAppend($"process-single-{i}", 0, Events($"single-{i}"))]);
                single = commands * 2 / clock.Elapsed.TotalSeconds;

                clock.Restart();
                for (var batch = 0; batch < 5 * commands / 100; batch++)
                    await store.AppendAsync(Enumerable.Range(0, 100).Select(i => new StreamAppend($"process-grouped-{batch}-{i}", 0, Events($"grouped-{batch}-{i}"))).ToArray());
                grouped = 5 * commands * 2 / clock.Elapsed.TotalSeconds;
            }
            // A new instance remembers nothing: every event is read from the database, as an orchestrator's restart reads.
            await using (var reader = await PostgresStores.OpenAsync(settings.Postgres, schema))
            {
                var clock = Stopwatch.StartNew();
                long position = 0, read = 0;
                for (var page = await reader.Events.ReadAllAsync(0, 1_000); page.Count > 0; page = await reader.Events.ReadAllAsync(position, 1_000))
                    (position, read) = (page[^1].Position, read + page.Count);
                return (single, grouped, read / clock.Elapsed.TotalSeconds);
            }
        }
        finally
        {
            await using var db = NpgsqlDataSource.Create(settings.Postgres);
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE").ExecuteNonQueryAsync();
        }
    }

    /// <summary>What a typical command appends: a task confirmed, and a step started.</summary>
    private static IProcessEvent[] Events(string stream)
    {
        var id = ProcessId.From(stream);
        var at = DateTimeOffset.UtcNow;
        return
        [
            new TaskConfirmed(id, TaskId.For(id, "map", 0), 1, WorkerId.From("w"), [new BlobRef(new Uri("blob://azure/c/x.parquet"), "00", 10, 1)],
                new Dictionary<string, string> { ["rows"] = "1" }, TaskMetrics.None, at),
            new StepStarted(id, "merge", 1, at),
        ];
    }
}
