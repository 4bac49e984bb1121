using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Npgsql;
using Orchestration.Tests.Adapters.RabbitMq;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>A worker stopped with SIGTERM mid-task hands the task back; another worker runs it; nothing waits for a timeout.</summary>
[Collection(RealProcesses.Name)]
public sealed class Worker_shutdown : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly string _name = $"sd{Guid.NewGuid():N}"[..14];
    private readonly List<Process> _hosts = [];
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
        });
        _hosts.Add(_orch.Start("orchestrator"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            if (!host.HasExited) Terminate(host);
            if (!host.WaitForExit(TimeSpan.FromSeconds(30))) host.Kill(entireProcessTree: true);
            host.Dispose();
        }
        await using (var db = NpgsqlDataSource.Create(Services.Postgres))
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{_name}\" CASCADE").ExecuteNonQueryAsync();
        await new Azure.Storage.Blobs.BlobContainerClient(Services.Blobs, _name).DeleteIfExistsAsync();
        await RabbitMqBus.DeleteAsync($"{_name}-run-task", $"{_name}-orchestrator", $"{_name}-run-task_error", $"{_name}-orchestrator_error");
        _dir.Dispose();
    }

    private static void Terminate(Process host) => Process.Start("kill", ["-TERM", host.Id.ToString()])!.WaitForExit();

    [Fact]
    public async Task A_task_running_on_a_worker_stopped_with_sigterm_is_handed_back_and_completed_by_another_worker()
    {
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{_dir["one.csv"]}' (HEADER)");
        var scratch = _dir["scratch-leaving"];
        var first = _orch.Start("worker", "--name", "leaving", "--slots", "1", "--prefetch", "1", "--grace-seconds", "1", "--scratch", scratch);
        _hosts.Add(first);
        // Long enough to be running when the worker is stopped: a few seconds of DuckDB on one thread.
        var query = _orch.RunAsync("query", "--input", "one.csv", "--sql", "SELECT sum(hash(range) % 7)::BIGINT AS n FROM input, range(400000000)", "--out", _dir["out.csv"]);
        // A task's scratch directory exists while it runs on that worker.
        await Eventually.True(() => Directory.Exists(Path.Combine(scratch, "slot-0")) && Directory.EnumerateDirectories(Path.Combine(scratch, "slot-0")).Any(d => !d.EndsWith(".spill")),
            TimeSpan.FromSeconds(60), "the task running on the first worker");

        Terminate(first);
        (await Task.Run(() => first.WaitForExit(TimeSpan.FromSeconds(30)))).Should().BeTrue("a stopped worker exits within its grace period");
        _hosts.Add(_orch.Start("worker", "--name", "staying", "--slots", "1"));
        var result = await query;

        result.ExitCode.Should().Be(0, result.ToString());
        DuckDb.CsvRows(_dir["out.csv"]).Should().Equal(DuckDb.Rows("SELECT sum(hash(range) % 7)::BIGINT FROM range(400000000)"));
        var process = Regex.Match(result.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;
        var history = await _orch.RunAsync("history", process);
        history.Output.Should().NotContain("timed out", "the task was handed back at once, not left to time out")
            .And.MatchRegex(@"map/0 attempt 1 confirmed by staying");
    }
}
