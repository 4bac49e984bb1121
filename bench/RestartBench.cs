using System.Diagnostics;
using Npgsql;
using Orchestration.Adapters.Postgres;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Bench;

/// <summary>
/// How long an orchestrator takes to be ready again over a long history: 1,000,000 events of ended processes in Marten's
/// store, the log follower (dispatcher, timeout manager, placer) started cold (no checkpoint: it reads the whole log,
/// the raw limit of a replay) and then restarted from the checkpoint it saved. Needs scripts/services.sh up.
/// </summary>
internal static class RestartBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;
        var postgres = Environment.GetEnvironmentVariable("ORCH_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=orch;Password=orch-dev;Database=orchestration";
        var schema = $"bench_restart_{Guid.NewGuid():N}"[..24];
        Console.WriteLine($"restart: {events:N0} events of ended processes (8 a process) in Marten's store");
        try
        {
            await using var stores = await PostgresStores.OpenAsync(postgres, schema);
            var clock = Stopwatch.StartNew();
            await WriteAsync(stores.Events, events / 8);
            Console.WriteLine($"  written in {clock.Elapsed.TotalSeconds:0.0} s");
            var cold = await ReadyAsync(stores);
            Console.WriteLine($"  cold start, no checkpoint (reads the whole log: the replay's raw limit): {cold.TotalSeconds,6:0.00} s");
            var warm = await ReadyAsync(stores);
            Console.WriteLine($"  restart from the checkpoint and its saved view:                           {warm.TotalSeconds,6:0.00} s  ({cold / warm:0}x faster)");
        }
        finally
        {
            await using var db = NpgsqlDataSource.Create(postgres);
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE").ExecuteNonQueryAsync();
        }
        return 0;
    }

    /// <summary>From a new follower's start until it has read up to the head; then it stops (saving its checkpoint).</summary>
    private static async Task<TimeSpan> ReadyAsync(PostgresStores stores)
    {
        await using var runtime = new ProcessRuntime(stores.Events, TimeProvider.System);
        var registry = new WorkerRegistry(TimeProvider.System);
        IFollowerHandler[] handlers =
        [
            new Dispatcher(new NoQueue(), TimeProvider.System, runtime.Counters, workers: registry),
            new TimeoutManager(runtime, TimeProvider.System),
            new Placer(runtime, registry, TimeProvider.System, TimeSpan.Zero),
        ];
        var follower = new LogFollower(stores.Events, stores.Checkpoints, handlers, TimeProvider.System, new FollowerOptions(ReadBatch: 5_000));
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var running = follower.RunAsync(stop.Token);
        await follower.CaughtUp.WaitAsync(TimeSpan.FromMinutes(10));
        var ready = clock.Elapsed;
        await stop.CancelAsync();
        await running.ContinueWith(_ => { });
        return ready;
    }

    private static Task WriteAsync(IEventStore store, int processes) => CompletedProcesses.WriteAsync(store, processes, "restart", 500, DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>A durable queue that drops what it is sent: over ended processes, nothing is.</summary>
    private sealed class NoQueue : ITaskQueue
    {
        public bool IsDurable => true;
        public Task<int> SendAsync(IReadOnlyList<RunTask> tasks, int mostPerMessage = 1, CancellationToken cancellationToken = default) => Task.FromResult(0);
        public Task StopAsync(StopProcessTasks stop, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
