using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// A step's concurrency limit and a process's priority on the distributed deployment with real worker processes (one
/// slot each), over a map whose tasks each take a while: a limit of 2 is never exceeded on 3 workers, measured from the
/// workers' own timings; an urgent query overtakes the queued tasks of a normal one. Out-of-range values are refused.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Limits_and_priorities(Xunit.Abstractions.ITestOutputHelper output) : DistributedStack
{
    /// <summary>A task that counts for a tenth of a second or so, whatever its input.</summary>
    private const string SlowSql = "SELECT count(*) AS n FROM input, range(60000000)";

    /// <summary>A task that counts for about half a second.</summary>
    private const string SlowerSql = "SELECT count(*) AS n FROM input, range(300000000)";

    [Fact]
    public async Task A_concurrency_limit_of_2_is_never_exceeded_on_3_workers_measured_from_the_workers_timings()
    {
        Directory.CreateDirectory(Dir["in"]);
        for (var f = 0; f < 12; f++) DuckDb.Execute($"COPY (SELECT {f} AS n) TO '{Dir[$"in/f-{f:00}.csv"]}' (HEADER)");
        StartDeployment(workers: 3);

        var run = await Orch.RunAsync("query", "--input", "in/*.csv", "--sql", SlowSql, "--max-concurrency", "2", "--out", Dir["n.csv"]);

        run.ExitCode.Should().Be(0, run + await HostLogs());
        var maps = (await TaskRunsAsync()).Where(r => r.Task.Contains("/map/")).ToList();
        maps.Should().HaveCount(12);
        MostAtOnce(maps).Should().Be(2, "the limit holds across the three workers, and is reached:\n" + string.Join("\n", maps));
        maps.Select(r => r.Worker).Distinct().Should().HaveCountGreaterThan(1, "the limited tasks still spread over the workers");
        output.WriteLine($"limit: 12 tasks limited to 2 at once on 3 one-slot workers ran at most {MostAtOnce(maps)} at once, on {maps.Select(r => r.Worker).Distinct().Count()} workers");
    }

    [Fact]
    public async Task An_urgent_query_overtakes_the_queued_tasks_of_a_normal_one()
    {
        Directory.CreateDirectory(Dir["bulk"]);
        Directory.CreateDirectory(Dir["urgent"]);
        for (var f = 0; f < 40; f++) DuckDb.Execute($"COPY (SELECT {f} AS n) TO '{Dir[$"bulk/f-{f:00}.csv"]}' (HEADER)");
        DuckDb.Execute($"COPY (SELECT 7 AS n) TO '{Dir["urgent/u.csv"]}' (HEADER)");
        StartDeployment(workers: 1);
        var bulk = Orch.RunAsync("query", "--input", "bulk/*.csv", "--sql", SlowerSql, "--out", Dir["bulk.csv"]);
        await Eventually.True(async () => await CountEvents("task-confirmed.v1") >= 2, TimeSpan.FromMinutes(2), "the normal query's first tasks to be confirmed");

        var urgent = await Orch.RunAsync("query", "--input", "urgent/*.csv", "--sql", "SELECT sum(n) AS n FROM input", "--priority", "9", "--out", Dir["urgent.csv"]);

        urgent.ExitCode.Should().Be(0, urgent + await HostLogs());
        DuckDb.CsvRows(Dir["urgent.csv"]).Should().Equal("7");
        var urgentDone = RecordedAt(await HistoryOf(urgent), "completed with");
        (await bulk).ExitCode.Should().Be(0);
        var bulkRuns = (await TaskRunsAsync()).Where(r => r.Task.Contains("/map/") && !r.Task.StartsWith(Regex.Match(urgent.Output, @"query-[0-9a-f]+").Value)).ToList();
        var overtaken = bulkRuns.Count(r => r.End > urgentDone);
        overtaken.Should().BeGreaterThanOrEqualTo(10, $"the urgent query's tasks went ahead of the normal query's queued ones, not behind all of them (urgent done {urgentDone:O}):\n{string.Join("\n", bulkRuns)}\n{urgent}");
        output.WriteLine($"priority: an urgent query submitted behind a 40-task normal one on one one-slot worker completed with {overtaken} of the normal query's tasks still to run");
    }

    [Fact]
    public async Task A_priority_out_of_range_or_a_limit_below_1_is_refused_in_one_line()
    {
        Directory.CreateDirectory(Dir["in"]);
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{Dir["in/one.csv"]}' (HEADER)");

        var priority = await Orch.RunAsync("query", "--input", "in/*.csv", "--sql", "SELECT * FROM input", "--priority", "12", "--out", Dir["n.csv"]);
        var limit = await Orch.RunAsync("query", "--input", "in/*.csv", "--sql", "SELECT * FROM input", "--max-concurrency", "0", "--out", Dir["n.csv"]);

        priority.ExitCode.Should().Be(2, priority.ToString());
        priority.Error.Trim().Should().Be("orch: --priority: Priority 12 is out of range: give 0 (normal, the default) to 9 (most urgent).");
        limit.ExitCode.Should().Be(2, limit.ToString());
        limit.Error.Trim().Should().Be("orch: step 'map' has a concurrency limit of 0; it must be at least 1");
        File.Exists(Dir["n.csv"]).Should().BeFalse("nothing ran");
    }
}
