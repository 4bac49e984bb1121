using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Npgsql;
using Orchestration.Tests.Adapters.RabbitMq;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The distributed deployment as an operator runs it: one orchestrator process and two worker processes on the
/// real PostgreSQL, RabbitMQ and Azurite, driven by the same CLI commands as the embedded engine.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Distributed_deployment : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly string _name = $"e2e{Guid.NewGuid():N}"[..15];
    private readonly List<Process> _hosts = [];
    private OrchCli _orch = null!;

    public async Task InitializeAsync()
    {
        _orch = new OrchCli(_dir.Path, new Dictionary<string, string>
        {
            ["Orchestration__Mode"] = "distributed",
            ["Orchestration__Postgres"] = Services.Postgres,
            ["Orchestration__RabbitMq"] = Services.RabbitMq.ToString(),
            ["Orchestration__Blobs"] = Services.Blobs,
            ["Orchestration__Schema"] = _name,
            ["Orchestration__BlobContainer"] = _name,
            ["Orchestration__QueuePrefix"] = $"{_name}-",
        });
        _hosts.Add(_orch.Start("orchestrator"));
        _hosts.Add(_orch.Start("worker", "--name", "w1", "--slots", "1", "--prefetch", "1"));
        _hosts.Add(_orch.Start("worker", "--name", "w2", "--slots", "1", "--prefetch", "1"));
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            if (!host.HasExited) Process.Start("kill", ["-TERM", host.Id.ToString()])!.WaitForExit();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await host.WaitForExitAsync(deadline.Token); }
            catch (OperationCanceledException) { host.Kill(entireProcessTree: true); }
            host.Dispose();
        }
        await using (var db = NpgsqlDataSource.Create(Services.Postgres))
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{_name}\" CASCADE").ExecuteNonQueryAsync();
        await new Azure.Storage.Blobs.BlobContainerClient(Services.Blobs, _name).DeleteIfExistsAsync();
        await RabbitMqBus.DeleteAsync($"{_name}-run-task", $"{_name}-orchestrator", $"{_name}-run-task_error", $"{_name}-orchestrator_error");
        _dir.Dispose();
    }

    private async Task<string> HostLogs()
    {
        var logs = new List<string>();
        foreach (var host in _hosts.Where(h => h.HasExited))
            logs.Add($"host {host.Id} exited {host.ExitCode}: {await host.StandardError.ReadToEndAsync()}");
        return string.Join("\n", logs);
    }

    [Fact]
    public async Task The_retail_demo_and_an_ad_hoc_query_run_on_two_worker_processes_and_match_duckdb()
    {
        var demo = await _orch.RunAsync("demo", "--data", _dir["data"], "--out", _dir["revenue.csv"]);

        demo.ExitCode.Should().Be(0, demo + await HostLogs());
        var input = _dir["data/demo-input"];
        DuckDb.CsvRows(_dir["revenue.csv"]).Should().Equal(DuckDb.Rows($"""
            SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
              SELECT s.country, p.brand, sum(i.quantity * i.unit_price) AS revenue, sum(i.quantity)::BIGINT AS units
              FROM read_parquet('{input}/sales/*.parquet') i
              JOIN read_parquet('{input}/stores.parquet') s USING (store_id)
              JOIN read_parquet('{input}/products.parquet') p USING (product_id)
              GROUP BY ALL ORDER BY revenue DESC, country, brand)
            """));
        var process = Regex.Match(demo.Output, @"process (demo-[0-9a-f]+)").Groups[1].Value;
        var describe = await _orch.RunAsync("describe", process);
        describe.ExitCode.Should().Be(0, describe.ToString());
        Regex.Matches(describe.Output, @"│\s*(w1|w2)\s*│").Select(m => m.Groups[1].Value).Distinct()
            .Should().BeEquivalentTo(["w1", "w2"], "the 50 map tasks are spread over both worker processes");

        Directory.CreateDirectory(_dir["logs"]);
        for (var day = 0; day < 4; day++)
            DuckDb.Execute($"COPY (SELECT ['info','warn','error'][1 + (i * {day + 1}) % 3] AS level, i AS n FROM range(500) t(i)) TO '{_dir[$"logs/day-{day}.csv"]}' (HEADER)");
        var query = await _orch.RunAsync("query", "--input", "logs/*.csv", "--sql", "SELECT level, count(*) AS n FROM input GROUP BY level",
            "--merge", "SELECT level, sum(n) AS n FROM partials GROUP BY level ORDER BY level", "--out", _dir["levels.csv"]);

        query.ExitCode.Should().Be(0, query + await HostLogs());
        DuckDb.CsvRows(_dir["levels.csv"]).Should().Equal(DuckDb.Rows(
            $"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (SELECT level, count(*) AS n FROM read_csv('{_dir["logs"]}/*.csv') GROUP BY level ORDER BY level)"));
    }
}
