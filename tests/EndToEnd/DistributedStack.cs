using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using System.Net;
using System.Net.Sockets;
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
    // One pool for the whole test: the chaos scenarios poll the store every 50 ms.
    private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(Services.Postgres);
    protected TempDirectory Dir { get; } = new();
    protected string Name { get; } = $"ch{Guid.NewGuid():N}"[..14];
    protected OrchCli Orch { get; private set; } = null!;
    /// <summary>Where this deployment's orchestrator serves its dashboard: a free loopback port, so stacks never compete for one.</summary>
    protected string DashboardUrl { get; } = $"http://127.0.0.1:{FreePort()}";

    /// <summary>Configuration the scenario adds (e.g. <c>Orchestration__Faults__DuplicateShare</c>), for every process it starts.</summary>
    protected virtual IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string>();

    public virtual Task InitializeAsync()
    {
        Orch = Cli(Faults);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The command line for this deployment, with <paramref name="faults"/> switched on in what it starts; <c>orch</c>, or
    /// another <paramref name="program"/> on the command-line library.
    /// </summary>
    protected OrchCli Cli(IReadOnlyDictionary<string, string> faults, string? program = null)
    {
        var environment = Settings();
        foreach (var (key, value) in faults) environment[key] = value;
        return new OrchCli(Dir.Path, environment, program);
    }

    /// <summary>This deployment's settings as environment variables (<c>Orchestration__Postgres</c>, ...).</summary>
    protected Dictionary<string, string> Settings() => new()
    {
        ["Orchestration__Mode"] = "distributed",
        ["Orchestration__Postgres"] = Services.Postgres,
        ["Orchestration__RabbitMq"] = Services.RabbitMq.ToString(),
        ["Orchestration__Blobs"] = Services.Blobs,
        ["Orchestration__Schema"] = Name,
        ["Orchestration__BlobContainer"] = Name,
        ["Orchestration__QueuePrefix"] = $"{Name}-",
        ["Orchestration__Dashboard__Urls"] = DashboardUrl,
    };

    protected Process StartHost(params string[] args) => StartHost(Orch, args);

    protected Process StartHost(OrchCli cli, params string[] args)
    {
        var host = cli.Start(args);
        var output = new StringBuilder();
        _hosts.Add((host, output, FollowAsync(host.StandardOutput, output)));
        return host;
    }

    /// <summary>An orchestrator and workers w1, w2… with one slot each; returns the orchestrator.</summary>
    protected Process StartDeployment(int workers = 2)
    {
        var orchestrator = StartHost("orchestrator");
        for (var w = 1; w <= workers; w++) StartHost("worker", "--name", $"w{w}", "--slots", "1");
        return orchestrator;
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

    /// <summary>What the hosts that already exited said on stderr: why a deployment stopped answering.</summary>
    protected async Task<string> HostLogs()
    {
        var logs = new List<string>();
        foreach (var host in Hosts.Where(h => h.HasExited))
            logs.Add($"host {host.Id} exited {host.ExitCode}: {await host.StandardError.ReadToEndAsync()}");
        return string.Join("\n", logs);
    }

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
        await using (_db)
            await _db.CreateCommand($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE").ExecuteNonQueryAsync();
        await new Azure.Storage.Blobs.BlobContainerClient(Services.Blobs, Name).DeleteIfExistsAsync();
        // Every queue of this deployment, including those of workers a supervisor started under names of its own.
        await RabbitMqBus.DeleteAllAsync($"{Name}-");
        Dir.Dispose();
    }

    /// <summary>How many events of a wire type (e.g. <c>task-confirmed.v1</c>) this deployment's store holds.</summary>
    protected async Task<long> CountEvents(string type)
    {
        try { return (long)(await _db.CreateCommand($"SELECT count(*) FROM \"{Name}\".mt_events WHERE type = '{type}'").ExecuteScalarAsync())!; }
        catch (Exception e) when (e is PostgresException or NpgsqlException) { return 0; } // the schema is not there yet, or the database is restarting
    }

    /// <summary>How many events the store holds in <paramref name="stream"/> (e.g. <c>process-query-…</c>).</summary>
    protected async Task<long> CountStreamEvents(string stream)
    {
        await using var command = _db.CreateCommand($"SELECT count(*) FROM \"{Name}\".mt_events WHERE stream_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = stream });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The ids of the processes the store holds, in the order they started.</summary>
    protected async Task<IReadOnlyList<string>> ProcessIdsAsync()
    {
        var ids = new List<string>();
        await using var read = await _db.CreateCommand($"SELECT id FROM \"{Name}\".mt_streams WHERE id LIKE 'process-%' ORDER BY created").ExecuteReaderAsync();
        while (await read.ReadAsync()) ids.Add(read.GetString(0)["process-".Length..]);
        return ids;
    }

    /// <summary>
    /// Each confirmed attempt as its worker timed it: it ended when its worker reported it (the confirmation's time, later
    /// by the message's trip) and started the run time its worker measured before that. Two runs recorded this way overlap
    /// only if their workers ran them at once (a later trip only moves a start later).
    /// </summary>
    protected async Task<IReadOnlyList<(string Task, string Worker, DateTimeOffset Start, DateTimeOffset End)>> TaskRunsAsync()
    {
        var runs = new List<(string, string, DateTimeOffset, DateTimeOffset)>();
        await using var read = await _db.CreateCommand($"SELECT data::text FROM \"{Name}\".mt_events WHERE type = 'task-confirmed.v1' ORDER BY seq_id").ExecuteReaderAsync();
        while (await read.ReadAsync())
        {
            using var json = System.Text.Json.JsonDocument.Parse(read.GetString(0));
            string Field(System.Text.Json.JsonElement e, string name) =>
                e.EnumerateObject().First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value.ToString();
            var root = json.RootElement;
            var metrics = root.EnumerateObject().First(p => string.Equals(p.Name, "Metrics", StringComparison.OrdinalIgnoreCase)).Value;
            var end = DateTimeOffset.Parse(Field(root, "At"), System.Globalization.CultureInfo.InvariantCulture);
            runs.Add((Field(root, "TaskId"), Field(root, "Worker"), end - TimeSpan.Parse(Field(metrics, "Duration"), System.Globalization.CultureInfo.InvariantCulture), end));
        }
        return runs;
    }

    /// <summary>The most runs that overlap at any instant.</summary>
    protected static int MostAtOnce(IEnumerable<(string Task, string Worker, DateTimeOffset Start, DateTimeOffset End)> runs) =>
        runs.SelectMany(r => new[] { (At: r.Start, Change: 1), (At: r.End, Change: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Change) // an end and a start at the same instant do not overlap
            .Aggregate((Now: 0, Most: 0), (acc, e) => (acc.Now + e.Change, Math.Max(acc.Most, acc.Now + e.Change))).Most;

    /// <summary>
    /// Streams whose event versions are not exactly 1..n (should be none). Global positions may skip: Marten burns the
    /// numbers of a failed append (filled later by its tombstones, left out here); no follower misses a late commit
    /// (see the PostgreSQL event store's facts).
    /// </summary>
    protected async Task<long> BrokenStreams()
    {
        var events = $"\"{Name}\".mt_events";
        return (long)(await _db.CreateCommand($"""
            SELECT count(*) FROM (SELECT stream_id FROM {events} WHERE stream_id <> 'mt_tombstone'
                                  GROUP BY stream_id HAVING count(*) <> max(version) OR min(version) <> 1) broken
            """).ExecuteScalarAsync())!;
    }

    /// <summary>The history of the process a command ran (named in its output), as <c>orch history</c> prints it.</summary>
    protected async Task<string> HistoryOf(OrchCli.Result run)
    {
        var process = Regex.Match(run.Output + run.Error, @"(query-[0-9a-f]+)").Groups[1].Value;
        process.Should().NotBeEmpty($"the command names its process: {run}");
        var history = await Orch.RunAsync("history", process);
        history.ExitCode.Should().Be(0, history.ToString());
        return history.Output;
    }

    /// <summary>When the first history line matching <paramref name="pattern"/> was recorded.</summary>
    protected static DateTimeOffset RecordedAt(string history, string pattern)
    {
        var line = history.Split('\n').FirstOrDefault(l => Regex.IsMatch(l, pattern));
        line.Should().NotBeNull($"the history has a line matching '{pattern}':\n{history}");
        return DateTimeOffset.Parse(Regex.Match(line!, @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}").Value + "Z", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The task of every confirmation in a history, in order.</summary>
    protected static IReadOnlyList<string> ConfirmedTasks(string history) =>
        Regex.Matches(history, @"Task (\S+) attempt \d+ confirmed by").Select(m => m.Groups[1].Value).ToList();

    /// <summary>A finished chaos run: the query's output, the process's history and its figures.</summary>
    /// <param name="Recovery">From the end of the fault to the next task confirmed.</param>
    protected sealed record ChaosRun(OrchCli.Result Result, string History, long ConfirmedAtFault, TimeSpan Recovery, TimeSpan Elapsed)
    {
        public int Retries => Regex.Matches(History, "will be retried").Count;
        public int TimedOut => Regex.Matches(History, @"attempt \d+ timed out").Count;
    }

    /// <summary>
    /// Runs the standard query over <paramref name="files"/> parts, brings on <paramref name="fault"/> once
    /// <paramref name="faultAfter"/> tasks are confirmed, and checks what every scenario must hold: the result equals
    /// DuckDB's and every task is confirmed exactly once.
    /// </summary>
    protected async Task<ChaosRun> QueryThroughFaultAsync(int files, int faultAfter, Func<Task> fault, params string[] queryOptions)
    {
        WriteParts(files);
        var clock = Stopwatch.StartNew();
        var run = Orch.RunAsync(["query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"], .. queryOptions]);
        await Eventually.True(async () => await CountEvents("task-confirmed.v1") >= faultAfter || run.IsCompleted, TimeSpan.FromMinutes(3), $"{faultAfter} tasks confirmed");
        var confirmedAtFault = await CountEvents("task-confirmed.v1");
        await fault();
        var afterFault = Stopwatch.StartNew();
        var confirmedAfterFault = await CountEvents("task-confirmed.v1");
        await Eventually.True(async () => await CountEvents("task-confirmed.v1") > confirmedAfterFault || run.IsCompleted, TimeSpan.FromMinutes(5), "a task confirmed after the fault");
        var recovery = afterFault.Elapsed;
        var result = await run;

        result.ExitCode.Should().Be(0, result.ToString());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var history = await HistoryOf(result);
        ConfirmedTasks(history).Should().HaveCount(files + 1).And.OnlyHaveUniqueItems("every task is confirmed exactly once");
        confirmedAtFault.Should().BeLessThan(files, "the fault came mid-process");
        (await BrokenStreams()).Should().Be(0, "every stream's versions run 1..n with no gap: no event lost, none written twice");
        return new ChaosRun(result, history, confirmedAtFault, recovery, clock.Elapsed);
    }

    /// <summary>A loopback port nothing listens on (asked of the OS, then released).</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
