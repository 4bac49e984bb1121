using System.Diagnostics;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.Bench;

/// <summary>
/// Cost of one command to the process aggregate (Decide + Evolve of its events) as the process grows:
/// a map step of N tasks, every task confirmed once, then every confirmation sent again (dropped duplicates).
/// The promise: O(1) per command, so the figure stays flat from 1,000 to 100,000 tasks.
/// </summary>
internal static class AggregateBench
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static int Run()
    {
        Measure(1_000, rounds: 3); // warm-up: JIT and tiering
        Console.WriteLine("aggregate: per-command cost of Decide + Evolve (mean over at least 300,000 commands per size, GC included)");
        Console.WriteLine($"{"tasks",10} {"start/task",12} {"confirm",12} {"duplicate",12} {"ratio vs 1k",12}");
        double? baseline = null;
        var worst = 0.0;
        foreach (var n in new[] { 1_000, 10_000, 100_000 })
        {
            var (start, confirm, duplicate) = Measure(n, rounds: Math.Max(5, 300_000 / n));
            baseline ??= confirm;
            var ratio = confirm / baseline.Value;
            worst = Math.Max(worst, ratio);
            Console.WriteLine($"{n,10:N0} {start,9:N0} ns {confirm,9:N0} ns {duplicate,9:N0} ns {ratio,12:0.00}");
        }
        Console.WriteLine($"flatness: worst confirm ratio {worst:0.00} (goal <= 1.30) -> {(worst <= 1.3 ? "flat" : "NOT FLAT")}");
        return 0;
    }

    private static (double Start, double Confirm, double Duplicate) Measure(int tasks, int rounds)
    {
        var samples = new List<(double Start, double Confirm, double Duplicate)>();
        for (var round = 0; round < rounds; round++)
        {
            var process = ProcessId.From($"bench-{tasks}-{round}");
            var graph = ProcessGraph.Define("bench", 1)
                .Map("map", DataSource.Dataset("in"), StepWork.Code("noop"))
                .Reduce("merge", DataSource.Step("map"), StepWork.Code("noop"))
                .Build();
            var blobs = Enumerable.Range(0, tasks).Select(i => new BlobRef(new Uri($"blob://bench/in/{i}"), "00", 1, 1)).ToArray();
            var start = new StartProcess(process, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = blobs }, new Dictionary<string, string>());
            var state = new ProcessState();
            var clock = Stopwatch.StartNew();
            Apply(state, ProcessDecider.Decide(state, start, Now));
            var startNs = clock.Elapsed.TotalNanoseconds / tasks;

            // Commands are built in chunks outside the timed region, so each is fresh when decided, as a command
            // just taken off the wire would be: the bench measures the aggregate, not the cache misses of test input.
            double confirmNs = 0, duplicateNs = 0;
            var dropped = 0;
            for (var first = 0; first < tasks - 1; first += Chunk)
            {
                var confirms = Confirmations(process, first, Math.Min(Chunk, tasks - 1 - first));
                clock.Restart();
                foreach (var confirm in confirms) Apply(state, ProcessDecider.Decide(state, confirm, Now));
                confirmNs += clock.Elapsed.TotalNanoseconds;
                clock.Restart();
                foreach (var confirm in confirms) dropped += ProcessDecider.Decide(state, confirm, Now).Dropped is { IsDuplicate: true } ? 1 : 0;
                duplicateNs += clock.Elapsed.TotalNanoseconds;
            }
            if (dropped != tasks - 1) throw new InvalidOperationException($"expected {tasks - 1} duplicates dropped, got {dropped}");
            (confirmNs, duplicateNs) = (confirmNs / (tasks - 1), duplicateNs / (tasks - 1));

            samples.Add((startNs, confirmNs, duplicateNs));
        }
        // Every round weighs the same (each has as many commands), so the mean is the amortized cost, GC included.
        return (samples.Average(s => s.Start), samples.Average(s => s.Confirm), samples.Average(s => s.Duplicate));
    }

    private const int Chunk = 500;

    private static ConfirmTask[] Confirmations(ProcessId process, int first, int count) =>
        Enumerable.Range(first, count)
            .Select(i => new ConfirmTask(process, TaskId.For(process, "map", i), 1, WorkerId.From("w"),
                [new BlobRef(new Uri($"blob://bench/out/{i}"), "00", 1, 1)], new Dictionary<string, string>(), TaskMetrics.None))
            .ToArray();

    private static void Apply(ProcessState state, Decision decision)
    {
        foreach (var e in decision.Events) ProcessState.Evolve(state, e);
    }
}
