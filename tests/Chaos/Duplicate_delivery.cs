using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Npgsql;
using Orchestration.Tests.Adapters.RabbitMq;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: 30 % of every message type delivered twice (task commands by the orchestrator's dispatcher, results by
/// the workers) on the real services. The result must equal DuckDB's, every task be confirmed exactly once, and the
/// duplicates be dropped and counted, not applied.
/// </summary>
[Trait("Category", "Chaos")]
public sealed class Duplicate_delivery(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly string _name = $"cd{Guid.NewGuid():N}"[..14];
    private readonly List<(Process Host, Task<string> Output)> _hosts = [];
    private OrchCli _orch = null!;

    public Task InitializeAsync()
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
            ["Orchestration__Faults__DuplicateShare"] = "0.3",
        });
        foreach (var args in new[] { ["orchestrator"], ["worker", "--name", "w1", "--slots", "1"], new[] { "worker", "--name", "w2", "--slots", "1" } })
        {
            var host = _orch.Start(args);
            _hosts.Add((host, host.StandardOutput.ReadToEndAsync()));
        }
        return Task.CompletedTask;
    }

    /// <summary>Stops the hosts cleanly and returns what each printed (their shutdown reports).</summary>
    private async Task<string[]> StopHostsAsync()
    {
        foreach (var (host, _) in _hosts.Where(h => !h.Host.HasExited))
            Process.Start("kill", ["-TERM", host.Id.ToString()])!.WaitForExit();
        var outputs = new List<string>();
        foreach (var (host, text) in _hosts)
        {
            if (!host.WaitForExit(TimeSpan.FromSeconds(30))) host.Kill(entireProcessTree: true);
            outputs.Add(await text);
        }
        return outputs.ToArray();
    }

    public async Task DisposeAsync()
    {
        await StopHostsAsync();
        foreach (var (host, _) in _hosts) host.Dispose();
        await using (var db = NpgsqlDataSource.Create(Services.Postgres))
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{_name}\" CASCADE").ExecuteNonQueryAsync();
        await new Azure.Storage.Blobs.BlobContainerClient(Services.Blobs, _name).DeleteIfExistsAsync();
        await RabbitMqBus.DeleteAsync($"{_name}-run-task", $"{_name}-orchestrator", $"{_name}-run-task_error", $"{_name}-orchestrator_error");
        _dir.Dispose();
    }

    [Fact]
    public async Task With_30_percent_of_every_message_duplicated_each_task_is_confirmed_once_and_the_result_is_exact()
    {
        const int files = 80;
        Directory.CreateDirectory(_dir["parts"]);
        for (var part = 0; part < files; part++)
            DuckDb.Execute($"COPY (SELECT {part} AS part, i AS n FROM range(100) t(i)) TO '{_dir[$"parts/p-{part:000}.csv"]}' (HEADER)");
        var clock = Stopwatch.StartNew();

        var run = await _orch.RunAsync("query", "--input", "parts/*.csv", "--sql", "SELECT part, sum(n)::BIGINT AS total FROM input GROUP BY part",
            "--merge", "SELECT count(*) AS parts, sum(total)::BIGINT AS total FROM partials", "--out", _dir["out.csv"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["out.csv"]).Should().Equal(DuckDb.Rows(
            $"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (SELECT count(DISTINCT part) AS parts, sum(n)::BIGINT AS total FROM read_csv('{_dir["parts"]}/*.csv'))"));
        var process = Regex.Match(run.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;
        var history = (await _orch.RunAsync("history", process)).Output;
        var confirmations = Regex.Matches(history, @"Task (\S+) attempt \d+ confirmed by").Select(m => m.Groups[1].Value).ToList();
        confirmations.Should().HaveCount(files + 1).And.OnlyHaveUniqueItems("every task is confirmed exactly once");

        var reports = await StopHostsAsync();
        var injected = reports.Sum(r => Regex.Match(r, @"(\d+) duplicates sent") is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0);
        var dropped = Regex.Match(reports[0], @"([\d,]+) duplicates dropped") is { Success: true } d ? int.Parse(d.Groups[1].Value.Replace(",", "")) : -1;
        output.WriteLine($"chaos duplicates: {files + 1} tasks, {injected} duplicates injected, {dropped} dropped, 0 retries, {clock.Elapsed.TotalSeconds:0.0} s, result match");
        injected.Should().BeGreaterThan(0, "the faults were switched on");
        dropped.Should().BeGreaterThan(0, "duplicate results reach the aggregate and are dropped there");
        history.Should().NotContain("retried", "duplicates are not failures");
    }
}
