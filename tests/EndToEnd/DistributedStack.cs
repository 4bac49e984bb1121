using System.Diagnostics;
using System.Text;
using Npgsql;
using Orchestration.Tests.Adapters.RabbitMq;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// A distributed deployment of real processes for a test: an orchestrator and workers on the real services, in a
/// schema, container and queues of their own (removed afterwards), with the faults a chaos scenario switches on.
/// </summary>
public abstract class DistributedStack : IAsyncLifetime
{
    private readonly List<(Process Host, StringBuilder Output, Task Reading)> _hosts = [];
    protected TempDirectory Dir { get; } = new();
    protected string Name { get; } = $"ch{Guid.NewGuid():N}"[..14];
    protected OrchCli Orch { get; private set; } = null!;

    /// <summary>Configuration the scenario adds (e.g. <c>Orchestration__Faults__DuplicateShare</c>), for every process it starts.</summary>
    protected virtual IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string>();

    public virtual Task InitializeAsync()
    {
        Orch = Cli(Faults);
        return Task.CompletedTask;
    }

    /// <summary>The command line for this deployment, with <paramref name="faults"/> switched on in what it starts.</summary>
    protected OrchCli Cli(IReadOnlyDictionary<string, string> faults)
    {
        var environment = new Dictionary<string, string>
        {
            ["Orchestration__Mode"] = "distributed",
            ["Orchestration__Postgres"] = Services.Postgres,
            ["Orchestration__RabbitMq"] = Services.RabbitMq.ToString(),
            ["Orchestration__Blobs"] = Services.Blobs,
            ["Orchestration__Schema"] = Name,
            ["Orchestration__BlobContainer"] = Name,
            ["Orchestration__QueuePrefix"] = $"{Name}-",
        };
        foreach (var (key, value) in faults) environment[key] = value;
        return new OrchCli(Dir.Path, environment);
    }

    protected Process StartHost(params string[] args) => StartHost(Orch, args);

    protected Process StartHost(OrchCli cli, params string[] args)
    {
        var host = cli.Start(args);
        var output = new StringBuilder();
        _hosts.Add((host, output, FollowAsync(host.StandardOutput, output)));
        return host;
    }

    /// <summary>What <paramref name="host"/> has printed so far: a test follows a long-running host (e.g. <c>orch scale</c>) by it.</summary>
    protected string OutputOf(Process host)
    {
        var output = _hosts.Single(h => h.Host == host).Output;
        lock (output) return output.ToString();
    }

    private static async Task FollowAsync(StreamReader from, StringBuilder to)
    {
        while (await from.ReadLineAsync() is { } line)
            lock (to) to.AppendLine(line);
    }

    protected IEnumerable<Process> Hosts => _hosts.Select(h => h.Host);

    /// <summary>Stops the hosts cleanly and returns what each printed (their shutdown reports), in start order.</summary>
    protected async Task<string[]> StopHostsAsync()
    {
        foreach (var (host, _, _) in _hosts.Where(h => !h.Host.HasExited))
            Process.Start("kill", ["-TERM", host.Id.ToString()])!.WaitForExit();
        var outputs = new List<string>();
        foreach (var (host, _, reading) in _hosts)
        {
            if (!host.WaitForExit(TimeSpan.FromSeconds(30))) host.Kill(entireProcessTree: true);
            await reading;
            outputs.Add(OutputOf(host));
        }
        return outputs.ToArray();
    }

    public async Task DisposeAsync()
    {
        await StopHostsAsync();
        foreach (var (host, _, _) in _hosts) host.Dispose();
        await using (var db = NpgsqlDataSource.Create(Services.Postgres))
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE").ExecuteNonQueryAsync();
        await new Azure.Storage.Blobs.BlobContainerClient(Services.Blobs, Name).DeleteIfExistsAsync();
        await RabbitMqBus.DeleteAsync($"{Name}-run-task", $"{Name}-orchestrator", $"{Name}-run-task_error", $"{Name}-orchestrator_error");
        Dir.Dispose();
    }

    /// <summary>Small CSV files parts/p-NNN.csv: <paramref name="files"/> tasks for a query.</summary>
    protected void WriteParts(int files)
    {
        Directory.CreateDirectory(Dir["parts"]);
        for (var part = 0; part < files; part++)
            DuckDb.Execute($"COPY (SELECT {part} AS part, i AS n FROM range(100) t(i)) TO '{Dir[$"parts/p-{part:000}.csv"]}' (HEADER)");
    }

    protected const string PartSql = "SELECT part, sum(n)::BIGINT AS total FROM input GROUP BY part";
    protected const string MergeSql = "SELECT count(*) AS parts, sum(total)::BIGINT AS total FROM partials";

    protected IReadOnlyList<string> Expected() => DuckDb.Rows(
        $"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (SELECT count(DISTINCT part) AS parts, sum(n)::BIGINT AS total FROM read_csv('{Dir["parts"]}/*.csv'))");
}
