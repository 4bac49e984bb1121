namespace Orchestration.Bench;

/// <summary>
/// The cost of the control features on the no-op benchmark: the embedded engine's 100,000 no-op tasks with speculation
/// and the highest priority on, and off, in alternating runs of one process each (the embedded figure is noisy
/// between runs, so the medians are compared, with the spread).
/// </summary>
internal static class ControlBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tasks = args.Length > 1 ? int.Parse(args[1]) : 100_000;
        var rounds = args.Length > 2 ? int.Parse(args[2]) : 3;
        var workers = Environment.ProcessorCount;
        Console.WriteLine($"control: {tasks:N0} no-op tasks, {workers} worker slots, {rounds} runs with the control features on and {rounds} off, alternating");
        await EmbeddedBench.EngineAsync(5_000, workers, flush: false); // warm-up
        var on = new List<double>();
        var off = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var control in new[] { false, true })
            {
                var (rate, wall, counters) = await EmbeddedBench.EngineAsync(tasks, workers, flush: true, control);
                (control ? on : off).Add(rate);
                Console.WriteLine($"  run {round}, features {(control ? "on " : "off")}: {rate,10:N0} tasks/s ({wall.TotalSeconds:0.0} s; {counters})");
            }
        }
        var (medianOn, medianOff) = (Median(on), Median(off));
        Console.WriteLine($"  features off: median {medianOff,10:N0} tasks/s (runs {off.Min():N0}-{off.Max():N0})");
        Console.WriteLine($"  features on:  median {medianOn,10:N0} tasks/s (runs {on.Min():N0}-{on.Max():N0}); on/off {medianOn / medianOff:P0}");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
