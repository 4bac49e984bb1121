using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Npgsql;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: the orchestrator is SIGKILLed mid-process and started again. It rebuilds its aggregates and its timeout
/// view from the event store, its dispatcher resumes from its checkpoint, and the results the workers published
/// meanwhile wait in its durable queue. The result must equal DuckDB's and every task be confirmed exactly once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Orchestrator_killed(ITestOutputHelper output) : DistributedStack
{
    private async Task<long> Confirmed()
    {
        await using var db = NpgsqlDataSource.Create(Services.Postgres);
        try { return (long)(await db.CreateCommand($"SELECT count(*) FROM \"{Name}\".mt_events WHERE type = 'task-confirmed.v1'").ExecuteScalarAsync())!; }
        catch (PostgresException) { return 0; } // the schema is not there yet
    }

    [Fact]
    public async Task An_orchestrator_killed_mid_process_and_started_again_finishes_it_with_nothing_lost_or_doubled()
    {
        const int files = 200;
        WriteParts(files);
        var orchestrator = StartHost("orchestrator");
        StartHost("worker", "--name", "w1", "--slots", "1");
        StartHost("worker", "--name", "w2", "--slots", "1");
        var clock = Stopwatch.StartNew();

        var run = Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        await Eventually.True(async () => await Confirmed() >= 40 || run.IsCompleted, TimeSpan.FromMinutes(3), "40 tasks confirmed");
        var confirmedAtKill = await Confirmed();
        orchestrator.Kill(entireProcessTree: true); // SIGKILL: no clean stop, no last checkpoint
        await orchestrator.WaitForExitAsync();
        StartHost("orchestrator");
        var result = await run;

        result.ExitCode.Should().Be(0, result.ToString());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var process = Regex.Match(result.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;
        var history = (await Orch.RunAsync("history", process)).Output;
        Regex.Matches(history, @"Task (\S+) attempt \d+ confirmed by").Select(m => m.Groups[1].Value).ToList()
            .Should().HaveCount(files + 1).And.OnlyHaveUniqueItems("every task is confirmed exactly once");
        confirmedAtKill.Should().BeLessThan(files, "the kill came mid-process");
        output.WriteLine($"chaos orchestrator kill: {files + 1} tasks, 1 orchestrator killed at {confirmedAtKill} confirmed, {Regex.Matches(history, "will be retried").Count} retries, {clock.Elapsed.TotalSeconds:0.0} s, result match");
    }
}
