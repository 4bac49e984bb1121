using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Memoization on the distributed deployment (cache in PostgreSQL, outputs in Azurite, two worker processes): a query
/// re-run after one of its 10 partitions changed sends the workers one map task and the merge; the other nine are
/// confirmed from the first process's results, which the history names. A step that calls <c>random()</c> is never
/// reused; run again over the same bytes, it gives another result, and the orchestrator flags it as non-deterministic.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Memoization_on_the_distributed_deployment : DistributedStack
{
    [Fact]
    public async Task A_rerun_after_one_partition_changed_sends_the_workers_one_map_task_and_the_merge()
    {
        WriteParts(10);
        StartDeployment(workers: 2);
        var first = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        first.ExitCode.Should().Be(0, first + await HostLogs());
        DuckDb.Execute($"COPY (SELECT 4 AS part, i AS n FROM range(333) t(i)) TO '{Dir["parts/p-004.csv"]}' (HEADER)");

        var second = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);

        second.ExitCode.Should().Be(0, second + await HostLogs());
        second.Output.Should().Contain("11 task(s), 9 reused");
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var history = await HistoryOf(second);
        var firstId = Regex.Match(first.Output, @"(query-[0-9a-f]+)").Groups[1].Value;
        Regex.Matches(history, $@"confirmed with the result of task {firstId}/map/\d+").Should().HaveCount(9);
        Regex.Matches(history, @"attempt 1 confirmed by w[12] ").Select(m => m.Value).Should().HaveCount(2, "the workers ran the changed partition's map task and the merge:\n" + history);
    }

    [Fact]
    public async Task A_step_that_reads_chance_run_twice_over_the_same_bytes_is_flagged_as_non_deterministic()
    {
        WriteParts(3);
        StartDeployment(workers: 2);
        string[] query = ["query", "--input", "parts/*.csv", "--sql", "SELECT part, random() AS r FROM input LIMIT 1", "--out", Dir["r.csv"]];
        var first = await Orch.RunAsync(query);
        first.ExitCode.Should().Be(0, first + await HostLogs());

        var second = await Orch.RunAsync([.. query, "--attempts", "2"]); // another process over the same bytes

        second.ExitCode.Should().Be(0, second + await HostLogs());
        var process = Regex.Match(second.Output, @"(query-[0-9a-f]+)").Groups[1].Value;
        var firstId = Regex.Match(first.Output, @"(query-[0-9a-f]+)").Groups[1].Value;
        await Eventually.True(async () => (await Orch.RunAsync("history", process)).Output.Contains("Step 'map' is non-deterministic"), TimeSpan.FromSeconds(30),
            "the orchestrator to flag the second process's map step");
        var described = await Orch.RunAsync("describe", process);
        described.Output.Should().MatchRegex($@"non-deterministic: task {process}/map/\d gave another result than task {firstId}/map/\d did for the same work over the same bytes");
        (await Orch.RunAsync("history", firstId)).Output.Should().NotContain("non-deterministic", "the first run had nothing to differ from");
    }
}
