using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The distributed deployment as an operator runs it: one orchestrator process and two worker processes on the
/// real PostgreSQL, RabbitMQ and Azurite, driven by the same CLI commands as the embedded engine.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Distributed_deployment : DistributedStack
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartHost("orchestrator");
        StartHost("worker", "--name", "w1", "--slots", "1", "--prefetch", "1");
        StartHost("worker", "--name", "w2", "--slots", "1", "--prefetch", "1");
    }

    [Fact]
    public async Task The_retail_demo_and_an_ad_hoc_query_run_on_two_worker_processes_and_match_duckdb()
    {
        var demo = await Orch.RunAsync("demo", "--data", Dir["data"], "--out", Dir["revenue.csv"]);

        demo.ExitCode.Should().Be(0, demo + await HostLogs());
        var input = Dir["data/demo-input"];
        DuckDb.CsvRows(Dir["revenue.csv"]).Should().Equal(DuckDb.Rows($"""
            SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
              SELECT s.country, p.brand, sum(i.quantity * i.unit_price) AS revenue, sum(i.quantity)::BIGINT AS units
              FROM read_parquet('{input}/sales/*.parquet') i
              JOIN read_parquet('{input}/stores.parquet') s USING (store_id)
              JOIN read_parquet('{input}/products.parquet') p USING (product_id)
              GROUP BY ALL ORDER BY revenue DESC, country, brand)
            """));
        var process = Regex.Match(demo.Output, @"process (demo-[0-9a-f]+)").Groups[1].Value;
        var describe = await Orch.RunAsync("describe", process);
        describe.ExitCode.Should().Be(0, describe.ToString());
        Regex.Matches(describe.Output, @"\s(w1|w2)\s").Select(m => m.Groups[1].Value).Distinct()
            .Should().BeEquivalentTo(["w1", "w2"], "the map tasks (nine runs of the 50 store partitions) are spread over both worker processes");

        Directory.CreateDirectory(Dir["logs"]);
        for (var day = 0; day < 4; day++)
            DuckDb.Execute($"COPY (SELECT ['info','warn','error'][1 + (i * {day + 1}) % 3] AS level, i AS n FROM range(500) t(i)) TO '{Dir[$"logs/day-{day}.csv"]}' (HEADER)");
        var query = await Orch.RunAsync("query", "--input", "logs/*.csv", "--sql", "SELECT level, count(*) AS n FROM input GROUP BY level",
            "--merge", "SELECT level, sum(n) AS n FROM partials GROUP BY level ORDER BY level", "--out", Dir["levels.csv"]);

        query.ExitCode.Should().Be(0, query + await HostLogs());
        DuckDb.CsvRows(Dir["levels.csv"]).Should().Equal(DuckDb.Rows(
            $"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (SELECT level, count(*) AS n FROM read_csv('{Dir["logs"]}/*.csv') GROUP BY level ORDER BY level)"));
    }
}
