using System.Diagnostics;
using System.Text;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Processes;
using Orchestration.Retention;

namespace Orchestration.Bench;

/// <summary>
/// Retention soak: 1,000 small processes on the embedded engine, run as 10 "hours" of 100, each over new input files;
/// after each hour a prune (ended before now, keeping the newest of the graph, final outputs too: the pipeline delivered
/// them) as a scheduled one would. Prints the event log, the blobs (the archives apart: they are the pruned histories,
/// compressed, and grow by design) and the task cache after each hour, before and after its prune: with pruning they stay
/// flat, against what the store would hold without it (the first hour's growth, times the hours).
/// </summary>
internal static class RetentionBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var hours = args.Length > 1 ? int.Parse(args[1]) : 10;
        var perHour = args.Length > 2 ? int.Parse(args[2]) : 100;
        var root = Directory.CreateTempSubdirectory("orch-retention-bench-").FullName;
        var data = Path.Combine(root, "data");
        try
        {
            Console.WriteLine($"retention: {hours} hours x {perHour} processes (2 input files, 2 map tasks and a merge each), a prune after each hour, {Environment.ProcessorCount} worker slots");
            await using var engine = await EmbeddedEngine.StartAsync(new EngineOptions(data, Environment.ProcessorCount));
            var (firstEvents, firstBlobs) = (0L, 0L);
            string Size(long bytes) => Orchestration.Retention.Sizes.Of(bytes);
            for (var hour = 1; hour <= hours; hour++)
            {
                var run = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, perHour).Select(p => RunOneAsync(engine, $"h{hour:00}-p{p:000}")));
                run.Stop();
                var before = Sizes(data);
                if (hour == 1) (firstEvents, firstBlobs) = (before.Events, before.Blobs);
                var prune = Stopwatch.StartNew();
                var report = await engine.PruneAsync(new PruneRequest([], DateTimeOffset.UtcNow, KeepLast: 1, Outputs: true, "bench: hourly prune"));
                prune.Stop();
                var after = Sizes(data);
                Console.WriteLine($"  hour {hour,2}: {perHour} processes in {run.ElapsedMilliseconds,6:N0} ms; before prune: events {Size(before.Events),8}, blobs {Size(before.Blobs),8}, cache {before.CacheEntries,4} | " +
                                  $"prune {prune.ElapsedMilliseconds,4:N0} ms: {report.Pruned.Count} pruned, {report.BlobsDeleted} blobs | after: events {Size(after.Events),8}, blobs {Size(after.Blobs),8}, cache {after.CacheEntries,4}, archives {Size(after.Archives),8}");
            }
            var last = Sizes(data);
            Console.WriteLine($"  after {hours * perHour:N0} processes: events {Size(last.Events)} (without pruning about {Size(firstEvents * hours)}), " +
                              $"blobs {Size(last.Blobs)} (without pruning about {Size(firstBlobs * hours)}), archives {Size(last.Archives)} ({Size(last.Archives / Math.Max(1, hours * perHour - 1))} a process)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task RunOneAsync(EmbeddedEngine engine, string name)
    {
        var inputs = new List<BlobRef>();
        for (var part = 0; part < 2; part++)
        {
            var csv = new StringBuilder("store,amount\n");
            for (var row = 0; row < 50; row++) csv.Append($"{(row + part) % 7},{name.GetHashCode() % 1000 + row}\n");
            inputs.Add(await engine.Blobs.PutAsync($"inputs/{name}/part-{part}.csv", new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())), rows: 50));
        }
        var id = ProcessId.From($"soak-{name}");
        await engine.SendAsync(new StartProcess(id, Graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = inputs }, new Dictionary<string, string>()));
        var state = await engine.WaitForEndAsync(id);
        if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"soak process {id} {state.Status}: {state.EndReason}");
    }

    /// <summary>The event log's bytes, the blobs' but the archives', the cache's entries and the archives' bytes.</summary>
    private static (long Events, long Blobs, int CacheEntries, long Archives) Sizes(string data)
    {
        long Bytes(string folder) => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
        var (cache, blobs, archives) = (Path.Combine(data, "cache"), Path.Combine(data, "blobs"), Path.Combine(data, "blobs", "archive"));
        return (Bytes(Path.Combine(data, "events")), Bytes(blobs) - Bytes(archives),
            Directory.Exists(cache) ? Directory.EnumerateFiles(cache, "*.json", SearchOption.AllDirectories).Count() : 0, Bytes(archives));
    }

    private static readonly ProcessGraph Graph = ProcessGraph.Define("hourly-sales", 1)
        .Map("by-store", DataSource.Dataset("sales"), StepWork.Sql("SELECT store, count(*) AS sales, sum(amount) AS revenue FROM input GROUP BY store"))
        .Reduce("total", DataSource.Step("by-store"), StepWork.Sql("SELECT store, sum(sales)::BIGINT AS sales, sum(revenue) AS revenue FROM partials GROUP BY store ORDER BY store"),
            s => s.As("partials"))
        .Build();
}
