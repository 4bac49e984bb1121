using System.Globalization;

namespace Orchestration.Bench;

/// <summary>
/// One process of 1,000,000 no-op tasks on the embedded engine (fsync on), beside one of 100,000 in the same run: the
/// rate must not fall as the process grows (goal: at least 90 % of the 100,000-task rate) and the peak resident memory
/// must stay bounded (goal: at most 1.5 GB). Each run's peak is measured on its own (the kernel's high-water mark is
/// reset before it). <c>--distributed</c> runs one process of 200,000 tasks (and one of 20,000 beside it) through an
/// orchestrator and two worker processes on PostgreSQL and RabbitMQ instead, with the orchestrator's peak measured.
/// </summary>
internal static class MillionBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var distributed = args.Contains("--distributed");
        var counts = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var large = counts.Length > 0 ? int.Parse(counts[0], CultureInfo.InvariantCulture) : distributed ? 200_000 : 1_000_000;
        if (distributed) return await DistributedAsync(large);
        var small = large / 10;
        var workers = Environment.ProcessorCount;
        Console.WriteLine($"million: one process of {small:N0} no-op tasks, then one of {large:N0}, embedded, fsync on, {workers} worker slots");
        await EmbeddedBench.EngineAsync(5_000, workers, flush: false); // warm-up: JIT, thread pool

        var (smallRate, smallPeak) = await MeasuredAsync(small, workers);
        Console.WriteLine($"  {small,9:N0} tasks: {smallRate,8:N0} tasks/s, peak resident {smallPeak / 1e6,7:N0} MB");
        var (largeRate, largePeak) = await MeasuredAsync(large, workers);
        Console.WriteLine($"  {large,9:N0} tasks: {largeRate,8:N0} tasks/s ({largeRate / smallRate:P0} of the smaller process's rate; goal 90 %), " +
                          $"peak resident {largePeak / 1e6:N0} MB (goal 1,500 MB)");
        return 0;
    }

    private static async Task<(double Rate, long PeakBytes)> MeasuredAsync(int tasks, int workers)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ResetPeak();
        var (rate, _, counters) = await EmbeddedBench.EngineAsync(tasks, workers, flush: true);
        var peak = Peak();
        Console.WriteLine($"    ({counters}; managed heap at the end {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:N0} MB)");
        return (rate, peak);
    }

    private static async Task<int> DistributedAsync(int large)
    {
        var small = large / 10;
        var settings = DistributedBench.NewSettings();
        Console.WriteLine($"million --distributed: one process of {small:N0} no-op tasks, then one of {large:N0}, orchestrator + 2 worker processes, PostgreSQL (Marten) + RabbitMQ");
        try
        {
            await using var hosts = await DistributedBench.EngineHosts.StartAsync(settings);
            var orchestrator = hosts.Orchestrator.Id;
            ResetPeak(orchestrator);
            var smallRate = await hosts.RunAsync(small);
            var smallPeak = Peak(orchestrator);
            Console.WriteLine($"  {small,9:N0} tasks: {smallRate,8:N0} tasks/s, orchestrator's peak resident {smallPeak / 1e6,7:N0} MB");
            ResetPeak(orchestrator);
            var largeRate = await hosts.RunAsync(large);
            var largePeak = Peak(orchestrator);
            Console.WriteLine($"  {large,9:N0} tasks: {largeRate,8:N0} tasks/s ({largeRate / smallRate:P0} of the smaller process's rate), orchestrator's peak resident {largePeak / 1e6:N0} MB");
            Console.WriteLine($"  cpu of the hosts, both runs and the warm-up: {hosts.CpuReport()}");
        }
        finally
        {
            await DistributedBench.CleanUpAsync(settings, [settings]);
        }
        return 0;
    }

    /// <summary>Writing 5 to clear_refs resets the process's peak resident set (VmHWM) to its current size.</summary>
    private static void ResetPeak(int? process = null) => File.WriteAllText($"/proc/{process?.ToString(CultureInfo.InvariantCulture) ?? "self"}/clear_refs", "5");

    private static long Peak(int? process = null)
    {
        var line = File.ReadLines($"/proc/{process?.ToString(CultureInfo.InvariantCulture) ?? "self"}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
