using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>The README's run command and the ad hoc query, end to end through the real CLI, checked against DuckDB directly.</summary>
public sealed class Demo_and_query : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _orch;

    public Demo_and_query() => _orch = new OrchCli(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_demo_prints_the_same_revenue_as_one_direct_duckdb_query_row_by_row()
    {
        var run = await _orch.RunAsync("demo", "--data", _dir["data"], "--out", _dir["revenue.csv"], "--workers", "2");

        run.ExitCode.Should().Be(0, run.ToString());
        var input = _dir["data/demo-input"];
        var expected = DuckDb.Rows($"""
            SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
              SELECT s.country, p.brand, sum(i.quantity * i.unit_price) AS revenue, sum(i.quantity)::BIGINT AS units
              FROM read_parquet('{input}/sales/*.parquet') i
              JOIN read_parquet('{input}/stores.parquet') s USING (store_id)
              JOIN read_parquet('{input}/products.parquet') p USING (product_id)
              GROUP BY ALL ORDER BY revenue DESC, country, brand)
            """);
        expected.Should().HaveCount(80);
        DuckDb.CsvRows(_dir["revenue.csv"]).Should().Equal(expected);
        foreach (var row in expected.Take(25))
            run.Output.Should().MatchRegex(string.Join(@"\s*│\s*", row.Split(" | ").Select(System.Text.RegularExpressions.Regex.Escape)),
                "the printed table shows the first rows of the result");
        DuckDb.Rows($"SELECT count(*) FROM read_parquet('{input}/sales/*.parquet')").Single().Should().Be("2920000");
        run.Output.Should().MatchRegex(@"completed in [0-9.]+ s: 10 task\(s\)", "the 50 store partitions run as nine packed map tasks, then the merge");
    }

    [Fact]
    public async Task A_query_over_my_own_files_gives_what_duckdb_gives_directly()
    {
        var run = await QueryEventsAsync();

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["kinds.csv"]).Should().Equal(EventsByKind());
        run.Output.Should().MatchRegex(@"completed in [0-9.]+ s: 7 task\(s\)", "one map task per file, then the merge");
    }

    [Fact]
    public async Task A_query_packing_small_files_runs_one_task_per_pack_and_gives_what_duckdb_gives()
    {
        var run = await QueryEventsAsync("--pack-mb", "1");

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["kinds.csv"]).Should().Equal(EventsByKind());
        Enumerable.Range(1, 6).Sum(day => new FileInfo(_dir[$"events/day-{day}.csv"]).Length).Should().BeLessThan(1_000_000);
        run.Output.Should().MatchRegex(@"completed in [0-9.]+ s: 2 task\(s\)", "the six files (under 1 MB in all) are one map task, then the merge");
    }

    [Fact]
    public async Task A_pack_size_that_is_not_a_positive_number_is_refused_before_anything_runs()
    {
        var run = await QueryEventsAsync("--pack-mb", "0");

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("--pack-mb must be a number of megabytes above 0 and at most 1000000 (e.g. 64), not 0.");
        Directory.Exists(_dir["data/blobs"]).Should().BeFalse("nothing was uploaded");
    }

    /// <summary>Six days of events as CSV (1,000 to 6,000 rows), queried for the count and total of each kind.</summary>
    private async Task<OrchCli.Result> QueryEventsAsync(params string[] more)
    {
        Directory.CreateDirectory(_dir["events"]);
        for (var day = 1; day <= 6; day++)
            DuckDb.Execute($"""
                COPY (SELECT 'user-' || (i % 37) AS user_id, ['click','view','buy'][1 + i % 3] AS kind, (i * {day}) % 1000 AS amount
                      FROM range({1000 * day}) t(i)) TO '{_dir[$"events/day-{day}.csv"]}' (HEADER)
                """);
        return await _orch.RunAsync(["query", "--data", _dir["data"], "--input", "events/*.csv",
            "--sql", "SELECT kind, count(*) AS n, sum(amount) AS total FROM input GROUP BY kind",
            "--merge", "SELECT kind, sum(n) AS n, sum(total) AS total FROM partials GROUP BY kind ORDER BY kind",
            "--out", _dir["kinds.csv"], "--workers", "2", .. more]);
    }

    private IReadOnlyList<string> EventsByKind() => DuckDb.Rows($"""
        SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
          SELECT kind, count(*) AS n, sum(amount) AS total FROM read_csv('{_dir["events"]}/*.csv') GROUP BY kind ORDER BY kind)
        """);

    [Fact]
    public async Task A_star_schema_query_with_side_tables_gives_what_duckdb_gives_directly()
    {
        Directory.CreateDirectory(_dir["facts"]);
        DuckDb.Execute($"COPY (SELECT i AS product_id, ['tools','food','toys'][1 + i % 3] AS category FROM range(50) t(i)) TO '{_dir["products.csv"]}' (HEADER)");
        DuckDb.Execute($"COPY (SELECT i AS region_id, ['north','south'][1 + i % 2] AS region FROM range(4) t(i)) TO '{_dir["regions.parquet"]}' (FORMAT parquet)");
        for (var part = 0; part < 5; part++)
            DuckDb.Execute($"""
                COPY (SELECT (i * 7) % 50 AS product_id, i % 4 AS region_id, (i % 13)::DECIMAL(10,2) + 0.25 AS price
                      FROM range({part * 400}, {(part + 1) * 400}) t(i)) TO '{_dir[$"facts/part-{part}.parquet"]}' (FORMAT parquet)
                """);

        var run = await _orch.RunAsync("query", "--data", _dir["data"], "--input", "facts/*.parquet",
            "--with", "products=products.csv", "--with", "regions=regions.parquet",
            "--sql", "SELECT region, category, sum(price) AS revenue, count(*) AS sales FROM input JOIN products USING (product_id) JOIN regions USING (region_id) GROUP BY ALL",
            "--merge", "SELECT region, category, sum(revenue) AS revenue, sum(sales) AS sales FROM partials GROUP BY ALL ORDER BY region, category",
            "--out", _dir["star.csv"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["star.csv"]).Should().Equal(DuckDb.Rows($"""
            SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
              SELECT region, category, sum(price) AS revenue, count(*) AS sales
              FROM read_parquet('{_dir["facts"]}/*.parquet') JOIN read_csv('{_dir["products.csv"]}') USING (product_id)
                   JOIN read_parquet('{_dir["regions.parquet"]}') USING (region_id)
              GROUP BY ALL ORDER BY region, category)
            """)).And.HaveCount(6);
    }

    [Fact]
    public async Task A_query_takes_my_files_without_copying_them_and_a_file_changed_in_place_gives_the_new_answer_next_time()
    {
        Directory.CreateDirectory(_dir["facts"]);
        for (var part = 0; part < 3; part++)
            DuckDb.Execute($"COPY (SELECT {part} AS part, i AS amount FROM range(1000) t(i)) TO '{_dir[$"facts/part-{part}.parquet"]}' (FORMAT parquet)");
        string[] Query(string output) => ["query", "--data", _dir["data"], "--input", "facts/*.parquet",
            "--sql", "SELECT count(*) AS n, sum(amount) AS total FROM input", "--merge", "SELECT sum(n)::BIGINT AS n, sum(total)::BIGINT AS total FROM partials", "--out", _dir[output]];

        var first = await _orch.RunAsync(Query("first.csv"));

        first.ExitCode.Should().Be(0, first.ToString());
        DuckDb.CsvRows(_dir["first.csv"]).Should().Equal("3000 | 1498500");
        var stored = Directory.EnumerateFiles(_dir["data/blobs/inputs"], "*.parquet", SearchOption.AllDirectories).Select(Inodes.Of).Order().ToArray();
        stored.Should().Equal(Directory.EnumerateFiles(_dir["facts"]).Select(Inodes.Of).Order(), "the engine links each input file into its store: the same bytes on disk, not a copy");

        // Rewritten in place (the same inode, as cp onto it would): the next run hashes it again and sees the new rows.
        DuckDb.Execute($"COPY (SELECT 1 AS part, i AS amount FROM range(10) t(i)) TO '{_dir["part-1.new.parquet"]}' (FORMAT parquet)");
        await using (var target = new FileStream(_dir["facts/part-1.parquet"], FileMode.Truncate, FileAccess.Write))
        await using (var source = File.OpenRead(_dir["part-1.new.parquet"]))
            await source.CopyToAsync(target);
        var second = await _orch.RunAsync(Query("second.csv"));

        second.ExitCode.Should().Be(0, second.ToString());
        DuckDb.CsvRows(_dir["second.csv"]).Should().Equal("2010 | 999045");
        second.Output.Should().Contain("2 reused", "the unchanged files' map results are reused; the changed one ran again");
    }
}
