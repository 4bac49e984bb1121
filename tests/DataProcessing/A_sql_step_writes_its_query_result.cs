using FluentAssertions;
using Orchestration.DataProcessing.Sql;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

public sealed class A_sql_step_writes_its_query_result : IDisposable
{
    private const string SalesByStore = """
        SELECT s.name, s.region, count(*) AS sales, sum(i.amount) AS total, min(i.id) AS first_id
        FROM input AS i JOIN stores AS s USING (store)
        GROUP BY s.name, s.region
        ORDER BY s.name
        """;

    private readonly ScratchArea _area = new();
    private readonly string _task;
    private readonly SalesFiles _sales;

    public A_sql_step_writes_its_query_result()
    {
        _task = _area.Sandbox.TaskDirectory("p-1/sales-by-store/0");
        _sales = SalesFiles.WriteInto(_task);
    }

    [Fact]
    public void A_group_by_over_two_parquet_files_joined_with_a_csv_gives_the_rows_plain_duckdb_gives()
    {
        var output = Path.Join(_task, "out.parquet");

        var result = _area.Sandbox.Run(SalesRequest(output));

        var expected = ScratchArea.Rows($"""
            WITH input AS (SELECT * FROM read_parquet(['{_sales.PartA}', '{_sales.PartB}'])),
                 stores AS (SELECT * FROM read_csv('{_sales.Stores}'))
            {SalesByStore}
            """);
        var written = ScratchArea.Rows($"SELECT * FROM read_parquet('{output}')");
        written.Should().HaveCount(7).And.BeEquivalentTo(expected, o => o.WithStrictOrdering());
        result.Rows.Should().Be(7);
        result.Bytes.Should().Be(new FileInfo(output).Length).And.BePositive();
        result.Duration.Should().BePositive();
    }

    [Theory]
    [InlineData(1_000)] // small in all: read into a table of the run
    [InlineData(300_000)] // past 4 MB in all: a view
    public void Files_of_one_view_that_differ_in_column_order_and_set_are_matched_by_name(int rows)
    {
        var files = new[] { "k, v, pad", "pad, v, k", "k, v, pad, 'extra' AS note" }.Select((columns, i) =>
        {
            var file = Path.Join(_task, $"partial-{i}.parquet");
            ScratchArea.Execute($"COPY (SELECT range + {i * rows} AS k, (range * 7)::BIGINT AS v, md5(range::VARCHAR) AS pad FROM range({rows})) TO '{file}' (FORMAT parquet)");
            ScratchArea.Execute($"COPY (SELECT {columns} FROM (SELECT * FROM '{file}')) TO '{file}.tmp' (FORMAT parquet)");
            File.Move($"{file}.tmp", file, overwrite: true);
            return new SqlInput("partials", file);
        }).ToArray();
        var output = Path.Join(_task, $"merged-{rows}.parquet");
        files.Sum(f => new FileInfo(f.Path).Length).Should().Match(bytes => rows > 1_000 ? bytes > 4 << 20 : bytes < 4 << 20, "the two cases are the table and the view");

        _area.Sandbox.Run(ScratchArea.Request("SELECT count(*) AS n, sum(k) AS keys, sum(v) AS total, count(note) AS notes FROM partials", output, files));

        var n = 3L * rows;
        ScratchArea.Rows($"SELECT n, keys::BIGINT, total::BIGINT, notes FROM '{output}'").Single()
            .Should().Equal(n, n * (n - 1) / 2, 3L * 7 * rows * (rows - 1) / 2, (long)rows);
    }

    [Fact]
    public void Csv_output_starts_with_a_header()
    {
        var output = Path.Join(_task, "out.csv");

        var result = _area.Sandbox.Run(SalesRequest(output) with { Format = OutputFormat.Csv });

        var lines = File.ReadAllLines(output);
        lines[0].Should().Be("name,region,sales,total,first_id");
        lines.Should().HaveCount(8);
        result.Rows.Should().Be(7);
    }

    [Fact]
    public void Parameters_are_reachable_with_getvariable()
    {
        var output = Path.Join(_task, "out.csv");
        var request = new SqlRequest(
            "SELECT count(*) AS sales FROM input WHERE store = getvariable('store')::INTEGER AND sku = getvariable('sku')",
            [new SqlInput("input", _sales.PartA), new SqlInput("input", _sales.PartB)], output, OutputFormat.Csv,
            new Dictionary<string, string> { ["store"] = "3", ["sku"] = "sku-5" });

        _area.Sandbox.Run(request);

        var expected = Enumerable.Range(0, 2 * SalesFiles.RowsPerPart).Count(id => id % 7 == 3 && id % 13 == 5);
        File.ReadAllLines(output).Should().Equal("sales", expected.ToString());
    }

    [Fact]
    public void A_parameter_value_with_quotes_stays_a_value()
    {
        var output = Path.Join(_task, "out.csv");
        var request = ScratchArea.Request("SELECT getvariable('name') AS name", output) with
        {
            Format = OutputFormat.Csv,
            Parameters = new Dictionary<string, string> { ["name"] = "O'Brien'; COPY (SELECT 1) TO '/tmp/x.csv' --" },
        };

        _area.Sandbox.Run(request);

        File.ReadAllLines(output).Should().Equal("name", "O'Brien'; COPY (SELECT 1) TO '/tmp/x.csv' --");
    }

    [Fact]
    public void Names_that_are_not_plain_identifiers_are_quoted_not_refused()
    {
        var file = Path.Join(_task, "daily.csv");
        File.WriteAllText(file, "day\n2024-01-01\n2024-01-02\n");
        var output = Path.Join(_task, "out.csv");
        var request = ScratchArea.Request("SELECT count(*) AS days FROM \"sales-daily\" WHERE day = getvariable('run-date')::DATE", output,
            new SqlInput("sales-daily", file)) with
        {
            Format = OutputFormat.Csv,
            Parameters = new Dictionary<string, string> { ["run-date"] = "2024-01-02", ["x\"; DROP"] = "harmless" },
        };

        _area.Sandbox.Run(request);

        File.ReadAllLines(output).Should().Equal("days", "1");
    }

    [Fact]
    public void Json_lines_files_are_read_and_unioned_by_name()
    {
        File.WriteAllText(Path.Join(_task, "a.jsonl"), "{\"id\": 1, \"kind\": \"x\"}\n{\"id\": 2, \"kind\": \"y\"}\n");
        File.WriteAllText(Path.Join(_task, "b.ndjson"), "{\"id\": 3, \"extra\": true}\n");
        var output = Path.Join(_task, "out.csv");

        _area.Sandbox.Run(ScratchArea.Request("SELECT id, kind, extra FROM events ORDER BY id", output,
            new SqlInput("events", Path.Join(_task, "a.jsonl")), new SqlInput("events", Path.Join(_task, "b.ndjson"))) with { Format = OutputFormat.Csv });

        File.ReadAllLines(output).Should().Equal("id,kind,extra", "1,x,", "2,y,", "3,,true");
    }

    [Theory]
    [InlineData(OutputFormat.Parquet)]
    [InlineData(OutputFormat.Csv)]
    public void Running_the_same_step_again_writes_the_same_bytes(OutputFormat format)
    {
        var first = Path.Join(_task, "first" + (format == OutputFormat.Csv ? ".csv" : ".parquet"));
        var second = Path.Join(_task, "second" + (format == OutputFormat.Csv ? ".csv" : ".parquet"));
        const string everyRow = "SELECT i.*, s.name FROM input AS i JOIN stores AS s USING (store)";

        _area.Sandbox.Run(SalesRequest(first) with { Sql = everyRow, Format = format });
        _area.Sandbox.Run(SalesRequest(second) with { Sql = everyRow, Format = format });

        File.ReadAllBytes(second).Should().Equal(File.ReadAllBytes(first));
        ScratchArea.Rows($"SELECT count(*) FROM '{first}'").Single()[0].Should().Be(2L * SalesFiles.RowsPerPart);
    }

    [Fact]
    public void A_trailing_comment_and_semicolon_are_accepted()
    {
        var output = Path.Join(_task, "out.csv");

        var result = _area.Sandbox.Run(ScratchArea.Request("FROM range(3) -- three rows\n;", output) with { Format = OutputFormat.Csv });

        result.Rows.Should().Be(3);
    }

    public void Dispose() => _area.Dispose();

    private SqlRequest SalesRequest(string output) => new(
        SalesByStore,
        [new SqlInput("input", _sales.PartA), new SqlInput("input", _sales.PartB), new SqlInput("stores", _sales.Stores)],
        output, OutputFormat.Parquet, new Dictionary<string, string>());
}
