using System.Diagnostics;
using DuckDB.NET.Data;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.CommandLine;
using Orchestration.CommandLine.Demo;
using Orchestration.Contracts;
using Orchestration.Processes;

namespace Orchestration.Bench;

/// <summary>
/// The demo's graph (revenue by country and brand over 50 store partitions, ~3M rows) through the embedded
/// engine, next to the same question asked of one DuckDB connection directly over the same files.
/// </summary>
internal static class DemoBench
{
    public static async Task<int> RunAsync()
    {
        var root = Directory.CreateTempSubdirectory("orch-demo-bench-").FullName;
        try
        {
            var dataset = Path.Combine(root, "demo-input");
            RetailDemo.EnsureDataset(dataset);
            var workers = Environment.ProcessorCount;

            var direct = Enumerable.Range(0, 3).Select(_ => Direct(dataset)).Min();
            var runs = new List<(TimeSpan Upload, TimeSpan Process)>();
            for (var run = 0; run < 3; run++) runs.Add(await EngineAsync(Path.Combine(root, $"data-{run}"), dataset, workers));
            var best = runs.MinBy(r => r.Upload + r.Process);

            Console.WriteLine($"demo: revenue by country and brand, {RetailDemo.Stores} partitions, {workers} worker slots (best of 3)");
            Console.WriteLine($"  one direct DuckDB query:            {direct.TotalMilliseconds,8:N0} ms");
            Console.WriteLine($"  engine, process only:               {best.Process.TotalMilliseconds,8:N0} ms  ({best.Process / direct:0.0}x the direct query)");
            Console.WriteLine($"  engine, with inputs into blob store:{(best.Upload + best.Process).TotalMilliseconds,8:N0} ms  ({(best.Upload + best.Process) / direct:0.0}x)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static TimeSpan Direct(string dataset)
    {
        var clock = Stopwatch.StartNew();
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = RetailDemo.DirectSql(dataset);
        using var reader = command.ExecuteReader();
        while (reader.Read()) { }
        return clock.Elapsed;
    }

    private static async Task<(TimeSpan Upload, TimeSpan Process)> EngineAsync(string data, string dataset, int workers)
    {
        await using var engine = await EmbeddedEngine.StartAsync(new EngineOptions(data, workers));
        var clock = Stopwatch.StartNew();
        var datasets = new Dictionary<string, IReadOnlyList<BlobRef>>();
        foreach (var (name, files) in RetailDemo.DatasetFiles(dataset))
            datasets[name] = await Inputs.UploadAsync(engine.Blobs, files, CancellationToken.None);
        var upload = clock.Elapsed;
        clock.Restart();
        var id = ProcessId.From($"demo-bench-{Guid.NewGuid():N}");
        await engine.Runtime.SendAsync(new StartProcess(id, RetailDemo.Graph, datasets, new Dictionary<string, string>()));
        var state = await engine.WaitForEndAsync(id);
        if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"demo {state.Status}: {state.EndReason}");
        return (upload, clock.Elapsed);
    }
}
