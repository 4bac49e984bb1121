using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Processes;
using Orchestration.Storage;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// An aggregate over files that stay where they are (<c>local://sales/*.csv</c>) on the embedded engine, through the
/// real CLI: the answer DuckDB gives over the same files, and <c>describe</c> shows the data scanned locally while
/// only the small partial results moved through the blob store.
/// </summary>
public sealed partial class Local_data : IDisposable
{
    private const string Sql = "SELECT store, count(*) AS sales, sum(amount) AS revenue FROM input GROUP BY store";
    private const string Merge = "SELECT store, sum(sales) AS sales, sum(revenue) AS revenue FROM partials GROUP BY store ORDER BY store";

    private readonly TempDirectory _dir = new();

    public Local_data()
    {
        Directory.CreateDirectory(_dir["pos"]);
        for (var day = 1; day <= 6; day++)
            DuckDb.Execute($"""
                COPY (SELECT 'store-' || (i % 20) AS store, ((i * {day}) % 997)::DECIMAL(10, 2) AS amount, 'sku-' || (i % 101) AS sku
                      FROM range(40000) t(i)) TO '{_dir[$"pos/day-{day}.csv"]}' (HEADER)
                """);
    }

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"process (query-[0-9a-f]+)")]
    private static partial Regex ProcessIdIn();

    [GeneratedRegex(@"bytes scanned locally: ([\d,]+), bytes moved \(blobs read \+ written\): ([\d,]+)")]
    private static partial Regex BytesIn();

    [Fact]
    public async Task An_aggregate_over_local_files_matches_duckdb_and_moves_far_fewer_bytes_than_it_scans()
    {
        var orch = new OrchCli(_dir.Path);

        var run = await orch.RunAsync("query", "--data", _dir["data"], "--input", "local://sales/*.csv", "--allow-local", $"sales={_dir["pos"]}",
            "--sql", Sql, "--merge", Merge, "--out", _dir["stores.csv"], "--workers", "2");

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["stores.csv"]).Should().Equal(DuckDb.Rows($"""
            SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
              SELECT store, count(*) AS sales, sum(amount) AS revenue FROM read_csv('{_dir["pos"]}/*.csv') GROUP BY store ORDER BY store)
            """)).And.HaveCount(20);

        var describe = await orch.RunAsync("describe", ProcessIdIn().Match(run.Output).Groups[1].Value, "--data", _dir["data"]);
        describe.ExitCode.Should().Be(0, describe.ToString());
        var bytes = BytesIn().Match(describe.Output);
        bytes.Success.Should().BeTrue(describe.Output);
        var scanned = long.Parse(bytes.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        var moved = long.Parse(bytes.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        scanned.Should().Be(Directory.GetFiles(_dir["pos"], "*.csv").Sum(f => new FileInfo(f).Length), "every local file was read once, in place");
        moved.Should().BeGreaterThan(0).And.BeLessThan(scanned / 100, "only the partial aggregate and the result crossed the blob store");
    }

    [Fact]
    public async Task The_embedded_engine_takes_its_local_roots_from_configuration()
    {
        var orch = new OrchCli(_dir.Path, new Dictionary<string, string> { ["Orchestration__Local__sales"] = _dir["pos"] });

        var run = await orch.RunAsync("query", "--data", _dir["data"], "--input", "local://sales/day-1.csv", "--sql", Sql, "--merge", Merge, "--out", _dir["day1.csv"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["day1.csv"]).Should().HaveCount(20);
    }

    [Fact]
    public async Task A_local_root_that_is_not_allowed_ends_with_one_line_naming_the_allowed_ones()
    {
        var orch = new OrchCli(_dir.Path);

        var run = await orch.RunAsync("query", "--data", _dir["data"], "--input", "local://other/*.csv", "--allow-local", $"sales={_dir["pos"]}",
            "--sql", Sql, "--out", _dir["x.csv"]);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Trim().Should().Be("orch: Local root 'other' is not allowed on this worker; it allows 'sales'. Start the worker with --allow-local name=/path (or set Orchestration__Local__name=/path).");
    }

    [Fact]
    public void A_task_confirmation_stored_before_local_data_existed_reads_back_with_nothing_scanned_locally()
    {
        const string stored = """
            {"ProcessId":"p-1","TaskId":"p-1/map/0","Attempt":1,"Worker":"w-1","Outputs":[],"Metadata":{},
             "Metrics":{"RowsWritten":7,"BytesWritten":42,"BytesRead":100,"Duration":"00:00:00.0030000"},"At":"2026-11-23T14:00:00+00:00"}
            """;

        var confirmed = (TaskConfirmed)EventSerializer.Instance.Deserialize("task-confirmed.v1", System.Text.Encoding.UTF8.GetBytes(stored));

        confirmed.Metrics.Should().Be(new TaskMetrics(7, 42, 100, TimeSpan.FromMilliseconds(3)));
        confirmed.Metrics.LocalBytesScanned.Should().Be(0);
        confirmed.Metrics.BytesMoved.Should().Be(142);
        JsonSerializer.Serialize(confirmed.Metrics).Should().NotContain("BytesMoved", "it is derived, not stored");
    }
}
