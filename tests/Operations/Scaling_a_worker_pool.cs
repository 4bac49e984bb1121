using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Adapters.Messaging;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Operations;

/// <summary>
/// <c>orch scale</c> with real worker processes on the real services: a burst of slow tasks scales the pool up to
/// its maximum, the workers drain the queue and the process completes, then the pool shrinks back to its minimum
/// after the cool-down, its extra workers stopped gracefully.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed partial class Scaling_a_worker_pool(ITestOutputHelper output) : DistributedStack
{
    // Each task waits up to 3 s in the worker (1.5 s on average), so 24 of them outlast the broker's 5 s statistics interval.
    private static readonly Dictionary<string, string> SlowTasks = new() { ["Orchestration__Faults__MaxLatencyMs"] = "3000" };

    private sealed record Decision(string Line, long Ready, int Consumers, int Current, int Desired, string Reason);

    [GeneratedRegex(@"^\d\d:\d\d:\d\d ready (\d+) unacked \d+ consumers (\d+) workers (\d+) -> (\d+) (.*)$", RegexOptions.Multiline)]
    private static partial Regex DecisionLine();

    private List<Decision> Decisions(Process scaler) => DecisionLine().Matches(OutputOf(scaler)).Select(m => new Decision(m.Value.TrimEnd(),
        long.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value), m.Groups[5].Value)).ToList();

    [Fact]
    public async Task A_burst_of_tasks_scales_the_pool_up_to_max_then_back_down_to_min_once_the_queue_is_drained()
    {
        const int files = 24;
        WriteParts(files);
        using var management = new RabbitMqManagement(Services.RabbitMq);
        var queue = $"{Name}-run-task";
        async Task<int> Consumers() => (await management.DepthAsync(queue))?.Consumers ?? 0;
        StartHost("orchestrator");
        var scaler = StartHost(Cli(SlowTasks), "scale", "--min", "1", "--max", "3", "--per-worker", "4", "--cool-down-seconds", "4",
            "--interval-ms", "500", "--slots", "1", "--grace-seconds", "5");
        await Eventually.True(async () => await Consumers() == 1, TimeSpan.FromSeconds(60), "the minimum of one worker consuming the task queue");

        var clock = Stopwatch.StartNew();
        var run = Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        await Eventually.True(() => Decisions(scaler).Any(d => d.Desired == 3), TimeSpan.FromSeconds(60), "a decision to scale up to the maximum of 3");
        var decidedUp = clock.Elapsed;
        await Eventually.True(async () => await Consumers() == 3, TimeSpan.FromSeconds(60), "three worker processes consuming the task queue");
        var scaledUp = clock.Elapsed;
        var result = await run;
        var completed = clock.Elapsed;
        await Eventually.True(() => Decisions(scaler).SkipWhile(d => d.Desired < 3).Any(d => d.Desired == 1), TimeSpan.FromSeconds(60),
            "a decision to scale back down to the minimum of 1");
        var decidedDown = clock.Elapsed;
        await Eventually.True(async () => await Consumers() == 1 && Regex.Matches(OutputOf(scaler), @"stopped \(exit").Count == 2, TimeSpan.FromSeconds(60),
            "the two extra workers stopped, one left consuming");
        var scaledDown = clock.Elapsed;
        // The broker refreshes its queue statistics every 5 s, so the reading that shows the drained queue may come after the scale-down.
        await Eventually.True(() => Decisions(scaler).Last().Ready == 0, TimeSpan.FromSeconds(30), "the scaler reading the drained queue");

        result.ExitCode.Should().Be(0, result.ToString());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var decisions = Decisions(scaler);
        var log = string.Join("\n", decisions.Select(d => d.Line));
        output.WriteLine(log);
        decisions.First(d => d.Desired == 3).Reason.Should().StartWith("scale up:", log);
        decisions.SkipWhile(d => d.Desired < 3).First(d => d.Desired < 3).Reason.Should().StartWith("scale down:", "scaling down waits for its cool-down");
        decisions.Should().NotContain(d => d.Desired > 3, "the maximum bounds the pool");
        OutputOf(scaler).Should().NotContain("exited unexpectedly");
        Regex.Matches(OutputOf(scaler), @"started worker").Count.Should().Be(3, "one worker at the minimum, two more at the maximum, none restarted");
        StoppedPids(scaler).Should().HaveCount(2).And.OnlyContain(pid => !Running(pid), "stopped workers are gone from the machine");
        output.WriteLine($"scaling: {files + 1} tasks; decided 1 -> 3 after {decidedUp.TotalSeconds:0.0} s, 3 consuming after {scaledUp.TotalSeconds:0.0} s, " +
            $"process completed after {completed.TotalSeconds:0.0} s, decided 3 -> 1 after {decidedDown.TotalSeconds:0.0} s, 1 consuming after {scaledDown.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_worker_that_dies_is_replaced_and_stopping_the_scaler_stops_every_worker_it_started()
    {
        using var management = new RabbitMqManagement(Services.RabbitMq);
        async Task<int> Consumers() => (await management.DepthAsync($"{Name}-run-task"))?.Consumers ?? 0;
        var scaler = StartHost("scale", "--min", "2", "--max", "2", "--interval-ms", "300", "--grace-seconds", "5");
        await Eventually.True(async () => await Consumers() == 2, TimeSpan.FromSeconds(60), "the two workers of the minimum consuming the task queue");

        var victim = StartedPids(scaler).First();
        Process.GetProcessById(victim).Kill(); // SIGKILL: the worker dies without a word
        await Eventually.True(async () => StartedPids(scaler).Count == 3 && await Consumers() == 2, TimeSpan.FromSeconds(60),
            "a replacement started and consuming");
        var outputs = await StopHostsAsync();

        outputs.Single().Should().MatchRegex($@"worker \S+ \(pid {victim}\) exited unexpectedly \(exit \d+\); starting a replacement")
            .And.Contain("stopping 2 workers");
        StoppedPids(scaler).Should().BeEquivalentTo(StartedPids(scaler).Except([victim]), "each worker still running was stopped and waited for")
            .And.OnlyContain(pid => !Running(pid));
    }

    private List<int> StartedPids(Process scaler) =>
        Regex.Matches(OutputOf(scaler), @"started worker \S+ \(pid (\d+)\)").Select(m => int.Parse(m.Groups[1].Value)).ToList();

    private IEnumerable<int> StoppedPids(Process scaler) =>
        Regex.Matches(OutputOf(scaler), @"worker \S+ \(pid (\d+)\) stopped \(exit").Select(m => int.Parse(m.Groups[1].Value));

    private static bool Running(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }
}
