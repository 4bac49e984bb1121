using System.Diagnostics;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.Bench;

/// <summary>
/// Cost of one command to the process aggregate (Decide + Evolve of its events) as the process grows: a map
/// step of N tasks, every task confirmed once, then every confirmation sent again (dropped as duplicates).
/// The promise is O(1) per command, so the figure stays flat from 1,000 to 100,000 tasks.
/// <para>
/// Method: commands are timed in windows of <see cref="Window"/> consecutive commands, each built just before
/// (untimed) as a command taken off the wire would be, with the nursery collected before each window so that a
/// collection triggered by the set-up does not land in one size's windows and not another's. The figure is the
/// median window; the number of collections that still happened inside windows is printed beside it.
/// </para>
/// </summary>
internal static class AggregateBench
{
    private const int Window = 500;
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static int Run()
    {
        // Warm-up long enough for tiered compilation to promote the hot paths (it waits ~100 ms after calls
        // settle), so no size is measured on tier-0 code while another gets optimised code.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(2)) Measure(10_000, rounds: 1, new Samples());
        Thread.Sleep(500);
        Console.WriteLine($"aggregate: per-command cost of Decide + Evolve (median of {Window}-command windows)");
        Console.WriteLine($"{"tasks",10} {"start/task",12} {"confirm",12} {"duplicate",12} {"ratio vs 1k",12} {"GCs in windows",15}");
        // Sizes take turns, three times over, so a passing disturbance of the machine falls on all of them.
        var sizes = new[] { 1_000, 10_000, 100_000 };
        var samples = sizes.ToDictionary(n => n, _ => new Samples());
        for (var turn = 0; turn < 3; turn++)
            foreach (var n in sizes) Measure(n, rounds: Math.Max(1, 15_000 / n), samples[n]);
        var baseline = Median(samples[1_000].Confirms);
        var worst = 0.0;
        foreach (var n in sizes)
        {
            var sample = samples[n];
            var ratio = Median(sample.Confirms) / baseline;
            worst = Math.Max(worst, ratio);
            Console.WriteLine($"{n,10:N0} {Median(sample.Starts),9:N0} ns {Median(sample.Confirms),9:N0} ns {Median(sample.Duplicates),9:N0} ns {ratio,12:0.00} {sample.Collections,15}");
        }
        Console.WriteLine($"flatness: worst confirm ratio {worst:0.00} (goal <= 1.30) -> {(worst <= 1.3 ? "flat" : "NOT FLAT")}");
        return 0;
    }

    private sealed class Samples
    {
        public List<double> Starts { get; } = [];
        public List<double> Confirms { get; } = [];
        public List<double> Duplicates { get; } = [];
        public int Collections { get; set; }
    }

    private static void Measure(int tasks, int rounds, Samples samples)
    {
        for (var round = 0; round < rounds; round++)
        {
            var process = ProcessId.From($"bench-{tasks}-{round}");
            var state = new ProcessState();
            var start = StartOf(process, tasks);
            GC.Collect();
            var clock = Stopwatch.StartNew();
            Apply(state, ProcessDecider.Decide(state, start, Now));
            samples.Starts.Add(clock.Elapsed.TotalNanoseconds / tasks);

            for (var first = 0; first < tasks - 1; first += Window)
            {
                var window = Confirmations(process, first, Math.Min(Window, tasks - 1 - first));
                GC.Collect(0);
                var before = GC.CollectionCount(0);
                clock.Restart();
                foreach (var confirm in window) Apply(state, ProcessDecider.Decide(state, confirm, Now));
                samples.Confirms.Add(clock.Elapsed.TotalNanoseconds / window.Length);

                clock.Restart();
                var dropped = 0;
                foreach (var confirm in window) dropped += ProcessDecider.Decide(state, confirm, Now).Dropped is { IsDuplicate: true } ? 1 : 0;
                samples.Duplicates.Add(clock.Elapsed.TotalNanoseconds / window.Length);
                samples.Collections += GC.CollectionCount(0) - before;
                if (dropped != window.Length) throw new InvalidOperationException($"expected {window.Length} duplicates dropped, got {dropped}");
            }
        }
    }

    private static StartProcess StartOf(ProcessId process, int tasks)
    {
        var graph = ProcessGraph.Define("bench", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code("noop"))
            .Reduce("merge", DataSource.Step("map"), StepWork.Code("noop"))
            .Build();
        var blobs = Enumerable.Range(0, tasks).Select(i => new BlobRef(new Uri($"blob://bench/in/{i}"), "00", 1, 1)).ToArray();
        return new StartProcess(process, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = blobs }, new Dictionary<string, string>());
    }

    private static ConfirmTask[] Confirmations(ProcessId process, int first, int count) =>
        Enumerable.Range(first, count)
            .Select(i => new ConfirmTask(process, TaskId.For(process, "map", i), 1, WorkerId.From("w"),
                [new BlobRef(new Uri($"blob://bench/out/{i}"), "00", 1, 1)], new Dictionary<string, string>(), TaskMetrics.None))
            .ToArray();

    private static void Apply(ProcessState state, Decision decision)
    {
        foreach (var e in decision.Events) ProcessState.Evolve(state, e);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
