using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.Bench;

/// <summary>
/// 100,000 no-op tasks through the whole embedded engine (aggregate, file event store, dispatcher, MassTransit
/// in-memory, workers, results back), next to the raw MassTransit in-memory send-and-reply rate measured in
/// the same run with the same concurrency: the engine's overhead over its transport.
/// </summary>
internal static class EmbeddedBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tasks = args.Length > 1 ? int.Parse(args[1]) : 100_000;
        var workers = Environment.ProcessorCount;
        Console.WriteLine($"embedded: {tasks:N0} no-op tasks, {workers} worker slots, {Environment.ProcessorCount} cores");

        // Warm-up (JIT, thread pool growth) so the first scenario measured is not penalised.
        await RawSendAndReplyAsync<RunTask, TaskCompleted>(5_000, workers, RunTaskLike, c => Reply(c, CompletedLike(c.Message)));
        await EngineAsync(5_000, workers, flush: false);

        var ping = await RawSendAndReplyAsync<Ping, Pong>(tasks, workers, i => new Ping(i), c => Reply(c, new Pong(c.Message.N)));
        Console.WriteLine($"  raw MassTransit in-memory send-and-reply, tiny messages:         {ping,10:N0} msg/s");
        var raw = await RawSendAndReplyAsync<RunTask, TaskCompleted>(tasks, workers, RunTaskLike, c => Reply(c, CompletedLike(c.Message)));
        Console.WriteLine($"  raw MassTransit in-memory send-and-reply, RunTask/TaskCompleted: {raw,10:N0} msg/s  (the engine's baseline)");
        foreach (var flush in new[] { false, true })
        {
            var (rate, wall, counters) = await EngineAsync(tasks, workers, flush);
            Console.WriteLine($"  engine, fsync {(flush ? "on " : "off")}:                   {rate,10:N0} tasks/s  ({rate / raw:P0} of raw; {wall.TotalSeconds:0.0} s; {counters})");
        }
        return 0;
    }

    /// <param name="control">The control features in use: the no-op map copies its stragglers (the speculator reviews it
    /// each second once it is in its tail) and the process has the highest priority (dispatched first).</param>
    internal static async Task<(double Rate, TimeSpan Wall, string Counters)> EngineAsync(int tasks, int workers, bool flush, bool control = false)
    {
        var data = Directory.CreateTempSubdirectory("orch-bench-").FullName;
        try
        {
            await using var engine = await EmbeddedEngine.StartAsync(new EngineOptions(data, workers, FlushToDisk: flush), new OrchestrationBuilder().AddStep(new CountStep(tasks)).Build());
            var graph = ProcessGraph.Define("bench-noop", 1)
                .Reduce("count", DataSource.Dataset("none"), StepWork.Code(CountStep.StepName))
                .Map("noop", Metadata.Count("count", "tasks"), StepWork.Code("noop"), configure: s => { if (control) s.Speculate(); })
                .Build();
            var id = ProcessId.From($"bench-{Guid.NewGuid():N}");
            var clock = Stopwatch.StartNew();
            await engine.Runtime.SendAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["none"] = [] }, new Dictionary<string, string>(),
                control ? ProcessPriority.Highest : ProcessPriority.Normal));
            var state = await engine.WaitForEndAsync(id);
            var wall = clock.Elapsed;
            if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"bench process {state.Status}: {state.EndReason}");
            return (tasks / wall.TotalSeconds, wall, engine.Runtime.Counters.ToString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// The same flow with nothing else: a command to a competing consumer (as many at once as the engine has
    /// worker slots), which publishes an event that another consumer counts.
    /// </summary>
    /// <summary>Replies are sent to the reply queue, as the engine's workers send results to their orchestrator.</summary>
    private static async Task Reply<T>(ConsumeContext context, T reply) where T : class =>
        await (await context.GetSendEndpoint(new Uri("queue:raw-reply"))).Send(reply);

    private static async Task<double> RawSendAndReplyAsync<TCommand, TReply>(int messages, int workers, Func<int, TCommand> command, Func<ConsumeContext<TCommand>, Task> reply)
        where TCommand : class where TReply : class
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counter = new ReplyCounter(messages, done);
        var services = new ServiceCollection();
        services.AddMassTransit(bus =>
        {
            bus.UsingInMemory((context, transport) =>
            {
                transport.ReceiveEndpoint("raw-command", e => { e.ConcurrentMessageLimit = workers; e.Handler<TCommand>(context => reply(context)); });
                transport.ReceiveEndpoint("raw-reply", e => { e.PrefetchCount = 1024; e.ConcurrentMessageLimit = 1024; e.Handler<TReply>(_ => { counter.Received(); return Task.CompletedTask; }); });
            });
        });
        await using var provider = services.BuildServiceProvider();
        var control = provider.GetRequiredService<IBusControl>();
        await control.StartAsync();
        try
        {
            var endpoint = await control.GetSendEndpoint(new Uri("queue:raw-command"));
            var clock = Stopwatch.StartNew();
            for (var sent = 0; sent < messages; sent += 1_000)
                await endpoint.SendBatch(Enumerable.Range(sent, Math.Min(1_000, messages - sent)).Select(command));
            await done.Task;
            return messages / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await control.StopAsync();
        }
    }

    public sealed record Ping(int N);
    public sealed record Pong(int N);

    private static readonly ProcessId RawProcess = ProcessId.From("raw");

    /// <summary>A RunTask as the engine sends one for a no-op task.</summary>
    private static RunTask RunTaskLike(int i) => new(RawProcess, TaskId.For(RawProcess, "noop", i), 1, "noop", i, StepWork.Code("noop"), [],
        new Dictionary<string, string> { ["partition"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["partitions"] = "100000" }, DateTimeOffset.UtcNow.AddMinutes(5), TimeSpan.FromSeconds(10));

    /// <summary>A TaskCompleted as a worker publishes one for a no-op task.</summary>
    private static TaskCompleted CompletedLike(RunTask task) => new(task.ProcessId, task.TaskId, task.Attempt, WorkerId.From("raw"), [],
        new Dictionary<string, string> { ["rows"] = "0", ["bytes"] = "0" }, new TaskMetrics(0, 0, 0, TimeSpan.FromMilliseconds(1)));

    public sealed class ReplyCounter(int expected, TaskCompletionSource done)
    {
        private int _received;
        public void Received()
        {
            if (Interlocked.Increment(ref _received) == expected) done.TrySetResult();
        }
    }

    /// <summary>A listing step: reports how many tasks the next step should fan out to.</summary>
    private sealed class CountStep(int tasks) : ICodeStep
    {
        public const string StepName = "bench-count";
        public string Name => StepName;

        public Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CodeStepResult([], new Dictionary<string, string> { ["tasks"] = tasks.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }
}
