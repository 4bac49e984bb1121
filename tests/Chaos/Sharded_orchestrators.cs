using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Ports;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: two orchestrators of a deployment split into four shards. The second one started takes half the shards from
/// the first; several processes run across both; the owner of one of them is SIGKILLed mid-run, and the other takes its
/// shards over from the store. Every result must be exact, every task confirmed once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Sharded_orchestrators(ITestOutputHelper output) : DistributedStack
{
    private const int Shards = 4;

    protected override IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string> { ["Orchestration__Shards"] = $"{Shards}" };

    [Fact]
    public async Task Two_orchestrators_share_the_shards_and_when_one_is_killed_the_other_finishes_every_process_exactly()
    {
        const int queries = 4, files = 40;
        var first = StartDeployment();
        await Eventually.True(() => Task.FromResult(OutputOf(first).Contains("this orchestrator owns 0, 1, 2, 3")), TimeSpan.FromMinutes(2), "the first orchestrator to own every shard");
        var second = StartHost("orchestrator");
        await Eventually.True(async () => (await OwnersAsync()).Values.GroupBy(o => o).Select(g => g.Count()).Order().SequenceEqual([2, 2]), TimeSpan.FromMinutes(1),
            "the two orchestrators to own two shards each");
        OutputOf(first).Should().Contain("Handed shard", "the first hands shards on to the second, which joined later");

        for (var q = 0; q < queries; q++) WriteParts(q, files);
        var clock = Stopwatch.StartNew();
        var runs = Enumerable.Range(0, queries)
            .Select(q => Orch.RunAsync(["query", "--input", $"q{q}/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir[$"out-{q}.csv"]])).ToArray();
        await Eventually.True(async () => await CountEvents("task-confirmed.v1") >= 20 || runs.Any(r => r.IsCompleted), TimeSpan.FromMinutes(3), "20 tasks confirmed");
        var confirmedAtKill = await CountEvents("task-confirmed.v1");
        var owners = await OwnersAsync();
        var processes = await ProcessIdsAsync();
        var shardsUsed = processes.Select(p => Shard.IndexOf($"process-{p}", Shards)).ToHashSet();
        // The owner of the first process started: the one killed has work in flight.
        var victim = new[] { first, second }.Single(o => owners[Shard.IndexOf($"process-{processes[0]}", Shards)] == $"{Environment.MachineName} pid {o.Id}");
        var survivor = victim == first ? second : first;
        victim.Kill(entireProcessTree: true);
        await victim.WaitForExitAsync();
        var killed = Stopwatch.StartNew();
        await Eventually.True(() => Task.FromResult(OutputOf(survivor).Contains("this orchestrator owns 0, 1, 2, 3")), TimeSpan.FromMinutes(1), "the survivor to own every shard");
        var takenOver = killed.Elapsed;

        var results = await Task.WhenAll(runs);
        for (var q = 0; q < queries; q++)
        {
            results[q].ExitCode.Should().Be(0, results[q].ToString());
            DuckDb.CsvRows(Dir[$"out-{q}.csv"]).Should().Equal(ExpectedOf(q));
            ConfirmedTasks(await HistoryOf(results[q])).Should().HaveCount(files + 1).And.OnlyHaveUniqueItems("every task is confirmed exactly once");
        }
        confirmedAtKill.Should().BeLessThan(queries * (files + 1), "the orchestrator was killed mid-run");
        (await BrokenStreams()).Should().Be(0, "every stream's versions run 1..n with no gap: no event lost, none written twice");

        var reports = await StopHostsAsync();
        var report = reports.Single(r => Regex.IsMatch(r, @"[\d,]+ commands"));
        report.Should().MatchRegex(@"CPU [\d.]+ s, [\d.]+ ms per task confirmed", "an orchestrator reports its CPU per task, to size N of them");
        survivor.ExitCode.Should().Be(0, $"the survivor stopped cleanly on SIGTERM: {await survivor.StandardError.ReadToEndAsync()}");
        output.WriteLine($"sharded chaos: {queries} processes x {files + 1} tasks over {Shards} shards (in {string.Join(", ", shardsUsed.Order())}), " +
            $"one of two orchestrators killed at {confirmedAtKill} confirmed, the other owning every shard {takenOver.TotalSeconds:0.0} s later, " +
            $"all exact in {clock.Elapsed.TotalSeconds:0.0} s; survivor: {Regex.Match(report, @"[\d,]+ tasks confirmed.*?CPU.*$").Value}");
    }

    /// <summary>Who owns each shard, as the deployment's shards table records it.</summary>
    private async Task<Dictionary<int, string>> OwnersAsync()
    {
        var owners = new Dictionary<int, string>();
        try
        {
            await using var db = Npgsql.NpgsqlDataSource.Create(Services.Postgres);
            await using var read = await db.CreateCommand($"SELECT shard, holder FROM \"{Name}\".orchestration_shards").ExecuteReaderAsync();
            while (await read.ReadAsync()) owners[read.GetInt32(0)] = read.GetString(1);
        }
        catch (Npgsql.PostgresException) { } // the table is not there yet
        return owners;
    }

    private void WriteParts(int query, int files)
    {
        Directory.CreateDirectory(Dir[$"q{query}"]);
        for (var part = 0; part < files; part++)
            DuckDb.Execute($"COPY (SELECT {part} AS part, i + {query * 1000} AS n FROM range(100) t(i)) TO '{Dir[$"q{query}/p-{part:000}.csv"]}' (HEADER)");
    }

    private IReadOnlyList<string> ExpectedOf(int query) => DuckDb.Rows(
        $"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (SELECT count(DISTINCT part) AS parts, sum(n)::BIGINT AS total FROM read_csv('{Dir[$"q{query}"]}/*.csv'))");
}
