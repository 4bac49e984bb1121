using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Work is never done twice, on the embedded engine through the CLI: a query re-run after one of its 10 partitions
/// changed runs one map task and the merge, reusing the other nine results of the first process; <c>describe</c> says
/// where each reused result came from; <c>--no-cache</c> runs every task again; a SQL step that reads the clock or
/// chance is never reused.
/// </summary>
public sealed class Memoization : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _orch;

    public Memoization() => _orch = new OrchCli(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private const string PartSql = "SELECT part, sum(n)::BIGINT AS total FROM input GROUP BY part";
    private const string MergeSql = "SELECT count(*) AS parts, sum(total)::BIGINT AS total FROM partials";

    private void WritePart(int part, int rows) =>
        DuckDb.Execute($"COPY (SELECT {part} AS part, i AS n FROM range({rows}) t(i)) TO '{_dir[$"parts/p-{part}.csv"]}' (HEADER)");

    private Task<OrchCli.Result> QueryAsync(params string[] more) =>
        _orch.RunAsync(["query", "--data", _dir["data"], "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", _dir["out.csv"], .. more]);

    private static string ProcessOf(OrchCli.Result run) => Regex.Match(run.Output, @"(query-[0-9a-f]+)").Groups[1].Value;

    [Fact]
    public async Task A_rerun_after_one_partition_changed_runs_one_map_task_and_the_merge_and_says_where_the_rest_came_from()
    {
        Directory.CreateDirectory(_dir["parts"]);
        for (var part = 0; part < 10; part++) WritePart(part, 100);
        var first = await QueryAsync();
        first.ExitCode.Should().Be(0, first.ToString());
        first.Output.Should().Contain("11 task(s), 0 reused");

        WritePart(3, 250);
        var second = await QueryAsync();

        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().Contain("11 task(s), 9 reused", "only the changed partition's map task and the merge ran");
        DuckDb.CsvRows(_dir["out.csv"]).Should().Equal(DuckDb.Rows(
            $"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (SELECT count(DISTINCT part) AS parts, sum(n)::BIGINT AS total FROM read_csv('{_dir["parts"]}/*.csv'))"));
        var described = await _orch.RunAsync("describe", ProcessOf(second), "--data", _dir["data"]);
        described.ExitCode.Should().Be(0, described.ToString());
        foreach (var part in Enumerable.Range(0, 10).Where(p => p != 3))
            described.Output.Should().Contain($"reused: {ProcessOf(second)}/map/{part} has the result of {ProcessOf(first)}/map/{part}");
        described.Output.Should().NotContain($"reused: {ProcessOf(second)}/map/3 ").And.NotContain($"reused: {ProcessOf(second)}/merge/0");

        var uncached = await QueryAsync("--no-cache");
        uncached.ExitCode.Should().Be(0, uncached.ToString());
        uncached.Output.Should().Contain("11 task(s), 0 reused", "a step opted out of the cache runs every time");
    }

    [Fact]
    public async Task A_sql_step_that_reads_chance_runs_every_time()
    {
        Directory.CreateDirectory(_dir["parts"]);
        for (var part = 0; part < 3; part++) WritePart(part, 10);
        string[] query = ["query", "--data", _dir["data"], "--input", "parts/*.csv", "--sql", "SELECT part, random() AS r FROM input LIMIT 1", "--out", _dir["r.csv"]];
        var first = await _orch.RunAsync(query);
        first.ExitCode.Should().Be(0, first.ToString());

        var second = await _orch.RunAsync([.. query, "--attempts", "2"]); // another process id over the same bytes

        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().Contain("4 task(s), 0 reused", "the map tasks call random(), so they run again, and the merge then reads results it never saw");
    }
}
