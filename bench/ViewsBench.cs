using System.Diagnostics;
using Marten;
using Npgsql;
using Orchestration.Adapters.Embedded;
using Orchestration.Adapters.Postgres;
using Orchestration.Operations.Dashboard;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Bench;

/// <summary>
/// What <c>orch status</c> and <c>GET /api/processes</c> cost with 10,000 processes in the store: a page from Marten's
/// projected process list (and through the dashboard's HTTP API) beside the same SQL sent straight to PostgreSQL, the
/// embedded log's one-pass fold, and the old way (every stream loaded and folded) for scale. Needs scripts/services.sh up.
/// </summary>
internal static class ViewsBench
{
    private const int PageSize = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var processes = args.Length > 1 ? int.Parse(args[1]) : 10_000;
        var postgres = Environment.GetEnvironmentVariable("ORCH_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=orch;Password=orch-dev;Database=orchestration";
        var schema = $"bench_views_{Guid.NewGuid():N}"[..24];
        var directory = Directory.CreateTempSubdirectory("orch-bench-views-").FullName;
        Console.WriteLine($"views: {processes:N0} processes of 8 events each; a page is {PageSize} processes, newest first (median of 20)");
        try
        {
            await using (var stores = await PostgresStores.OpenAsync(postgres, schema))
            {
                await WriteAsync(stores.Events, processes);
                var page = await MedianAsync(() => stores.Processes.PageAsync(1, PageSize));
                await using var db = NpgsqlDataSource.Create(postgres);
                var raw = await MedianAsync(RawPage(db, postgres, schema));
                Console.WriteLine($"  raw: the same page's SQL straight to PostgreSQL (count + page): {raw,8:0.0} ms");
                Console.WriteLine($"  Marten's projected process list, page 1:                     {page,8:0.0} ms  ({page / raw:0.0}x raw)");
                var http = await HttpPageAsync(stores);
                Console.WriteLine($"  GET /api/processes?size={PageSize} through the dashboard:              {http,8:0.0} ms  ({http / raw:0.0}x raw)");
                var clock = Stopwatch.StartNew();
                var all = 0;
                foreach (var stream in await stores.Events.StreamsAsync())
                    if (ProcessStreams.ProcessOf(stream.Stream) is { } id && (await stores.Events.LoadAsync(id)).Status != ProcessStatus.NotStarted) all++;
                Console.WriteLine($"  the old way, every stream loaded and folded ({all:N0}):        {clock.Elapsed.TotalMilliseconds,8:N0} ms");
            }
            var saved = Path.Combine(directory, "process-list.json");
            using (var file = new FileEventStore(Path.Combine(directory, "events"), flushToDisk: false))
            {
                await WriteAsync(file, processes);
                await new FoldedProcessList(file, saved).SaveAsync(); // what the running engine does every few seconds
            }
            foreach (var (what, snapshot) in new[] { ("the whole log folded", (string?)null), ("from the list the engine saved", saved) })
            {
                var clock = Stopwatch.StartNew();
                using var reopened = FileEventStore.OpenReadOnly(Path.Combine(directory, "events"));
                var opened = clock.Elapsed.TotalMilliseconds;
                var list = new FoldedProcessList(reopened, snapshot);
                await list.PageAsync(1, PageSize);
                var cold = clock.Elapsed.TotalMilliseconds;
                var warm = await MedianAsync(() => list.PageAsync(1, PageSize));
                Console.WriteLine($"  embedded, orch status in a new process, {what}: {cold,6:0.0} ms (open {opened:0.0} ms); a later page {warm:0.0} ms");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            await using var db = NpgsqlDataSource.Create(postgres);
            await db.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE").ExecuteNonQueryAsync();
        }
        return 0;
    }

    private static Task WriteAsync(IEventStore store, int processes) => CompletedProcesses.WriteAsync(store, processes, "views", 100, DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>The SQL Marten sends for the page (and the count beside it), to run on a plain Npgsql connection.</summary>
    private static Func<Task<int>> RawPage(NpgsqlDataSource db, string postgres, string schema)
    {
        using var marten = DocumentStore.For(o => { o.Connection(postgres); o.DatabaseSchemaName = schema; o.AutoCreateSchemaObjects = JasperFx.AutoCreate.None; });
        using var session = marten.QuerySession();
        var page = session.Query<ProcessProgress>().OrderByDescending(p => p.StartedAt).ThenBy(p => p.Id).Take(PageSize).ToCommand();
        var (sql, parameters) = (page.CommandText, page.Parameters.Select(p => (p.ParameterName, p.Value)).ToArray());
        return async () =>
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var (name, value) in parameters) command.Parameters.Add(new NpgsqlParameter(name, value));
            var rows = 0;
            await using (var reader = await command.ExecuteReaderAsync()) while (await reader.ReadAsync()) rows++;
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".mt_doc_processprogress", connection);
            await count.ExecuteScalarAsync();
            return rows;
        };
    }

    private static async Task<double> HttpPageAsync(PostgresStores stores)
    {
        var sources = new DashboardSources(stores.Events, stores.Processes, new WorkerRegistry(TimeProvider.System), "run-task", null);
        await using var dashboard = new DashboardServer(DashboardSettings.Parse("http://127.0.0.1:0"), sources);
        await dashboard.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = dashboard.Addresses[0] };
        var median = await MedianAsync(() => http.GetStringAsync($"/api/processes?size={PageSize}"));
        await dashboard.StopAsync(CancellationToken.None);
        return median;
    }

    private static async Task<double> MedianAsync<T>(Func<Task<T>> read)
    {
        for (var i = 0; i < 3; i++) await read(); // warm-up: connections, JIT, plans
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            await read();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
