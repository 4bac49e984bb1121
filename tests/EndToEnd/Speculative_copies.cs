using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Speculation on the distributed deployment with real worker processes (one slot, one task fetched at a time): a map
/// of 9 tasks runs on 3 workers; then, with a fourth worker 10x slower than the others (fault injection), the same
/// shape of map finishes within twice that time, because the slow worker's task is copied on another worker and the
/// copy's result wins.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Speculative_copies(Xunit.Abstractions.ITestOutputHelper output) : DistributedStack
{
    /// <summary>A task that counts for about a second, whatever its input.</summary>
    private const string SlowSql = "SELECT count(*) AS n FROM input, range(500000000)";

    [Fact]
    public async Task With_one_worker_10x_slower_a_step_finishes_within_twice_its_time_without_that_worker()
    {
        foreach (var run in new[] { "fast", "slow" })
        {
            Directory.CreateDirectory(Dir[run]);
            for (var f = 0; f < 9; f++) DuckDb.Execute($"COPY (SELECT {f} AS n, '{run}' AS run) TO '{Dir[$"{run}/f-{f}.csv"]}' (HEADER)");
        }
        StartHost("orchestrator");
        for (var w = 1; w <= 3; w++) StartHost("worker", "--name", $"w{w}", "--slots", "1", "--prefetch", "1");

        var withoutSlow = await Orch.RunAsync("query", "--input", "fast/*.csv", "--sql", SlowSql, "--out", Dir["fast.csv"]);
        withoutSlow.ExitCode.Should().Be(0, withoutSlow + await HostLogs());
        var fast = MapTime(await HistoryOf(withoutSlow));

        StartHost(Cli(new Dictionary<string, string> { ["Orchestration__Faults__Slowdown"] = "10" }), "worker", "--name", "slow", "--slots", "1", "--prefetch", "1");
        await Eventually.True(async () => (await Orch.RunAsync("workers")).Output.Contains("slow"), TimeSpan.FromMinutes(1), "the slow worker to be live");
        var withSlow = await Orch.RunAsync("query", "--input", "slow/*.csv", "--sql", SlowSql, "--out", Dir["slow.csv"]);

        withSlow.ExitCode.Should().Be(0, withSlow + await HostLogs());
        DuckDb.CsvRows(Dir["slow.csv"]).Should().Equal(DuckDb.CsvRows(Dir["fast.csv"]), "the same counts, whichever copy won");
        var history = await HistoryOf(withSlow);
        history.Should().MatchRegex(@"has run [\d.]+ s on slow, against a median of [\d.]+ s: attempt 2 copies it on another worker", "the slow worker's task was copied:\n" + history);
        ConfirmedTasks(history).Should().OnlyHaveUniqueItems("a copy and its straggler are confirmed once between them");
        var spec = MapTime(history);
        spec.Should().BeLessThanOrEqualTo(fast * 2, $"the step took {fast.TotalSeconds:0.0} s on the three fast workers:\n{history}");
        output.WriteLine($"slow worker: a 9-task map took {fast.TotalSeconds:0.0} s on 3 workers and {spec.TotalSeconds:0.0} s ({spec / fast:0.00}x) with a fourth worker 10x slower, its task copied");
    }

    /// <summary>How long the query's map step took, from its start to its completion.</summary>
    private static TimeSpan MapTime(string history) => RecordedAt(history, "Step 'map' completed") - RecordedAt(history, "Step 'map' started");
}
