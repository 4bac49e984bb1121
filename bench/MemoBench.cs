using DuckDB.NET.Data;
using Orchestration.CommandLine;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Processes;

namespace Orchestration.Bench;

/// <summary>
/// Memoization: a SQL map over 100 Parquet partitions and a merge, run once in full, then again after one partition
/// changed, on the embedded engine in the same run: the re-run's process time (from its start to its completion, as
/// recorded) against the full run's (goal ≤ 5 %).
/// </summary>
internal static class MemoBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var partitions = args.Length > 1 ? int.Parse(args[1]) : 100;
        var rows = args.Length > 2 ? int.Parse(args[2]) : 500_000;
        var root = Directory.CreateTempSubdirectory("orch-memo-bench-").FullName;
        try
        {
            var files = Enumerable.Range(0, partitions).Select(p => Write(Path.Combine(root, $"part-{p:000}.parquet"), p, rows, seed: 0)).ToArray();
            Console.WriteLine($"memo: a SQL map over {partitions} Parquet partitions x {rows:N0} rows and a merge, {Environment.ProcessorCount} worker slots");
            await using var engine = await EmbeddedEngine.StartAsync(new EngineOptions(Path.Combine(root, "data"), Environment.ProcessorCount));
            var (full, fullReused, fullWhere) = await RunAsync(engine, files);
            Write(files[partitions / 2], partitions / 2, rows, seed: 1);
            var (again, reused, againWhere) = await RunAsync(engine, files);
            Console.WriteLine($"  full run:                                  {full.TotalMilliseconds,9:N0} ms ({fullReused} of {partitions + 1} tasks reused; {fullWhere})");
            Console.WriteLine($"  re-run after 1 of {partitions} partitions changed: {again.TotalMilliseconds,9:N0} ms ({reused} of {partitions + 1} tasks reused; {againWhere}): {again / full:P1} of the full run (goal <= 5 %)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(TimeSpan Process, int Reused, string Where)> RunAsync(EmbeddedEngine engine, IReadOnlyList<string> files)
    {
        var datasets = new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = await Inputs.UploadAsync(engine.Blobs, files, CancellationToken.None) };
        var id = ProcessId.From($"memo-bench-{Guid.NewGuid():N}");
        await engine.Runtime.SendAsync(new StartProcess(id, Graph, datasets, new Dictionary<string, string>()));
        var state = await engine.WaitForEndAsync(id);
        if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"memo bench {state.Status}: {state.EndReason}");
        var events = await engine.Events.ReadStreamAsync(Orchestration.Runtime.ProcessStreams.StreamOf(id)).Select(e => e.Event).ToListAsync();
        var confirmed = events.OfType<TaskConfirmed>().ToList();
        TimeSpan Since(DateTimeOffset at) => at - state.StartedAt!.Value;
        var merge = confirmed.Single(c => c.TaskId.Value.Contains("/total/"));
        var where = $"reused tasks confirmed by {(confirmed.Where(c => c.ReusedFrom is not null).Select(c => Since(c.At)).DefaultIfEmpty().Max().TotalMilliseconds):N0} ms, " +
                    $"map tasks run by {(confirmed.Where(c => c.ReusedFrom is null && c.TaskId.Value.Contains("/by-store/")).Select(c => Since(c.At)).DefaultIfEmpty().Max().TotalMilliseconds):N0} ms, " +
                    $"the merge by {Since(merge.At).TotalMilliseconds:N0} ms, of which its worker ran it {merge.Metrics.Duration.TotalMilliseconds:N0} ms";
        // From its start to its completion as recorded, not as a watcher polling the log a few times a second sees it.
        return (state.EndedAt!.Value - state.StartedAt!.Value, state.Tasks.Count(t => t.ReusedFrom is not null), where);
    }

    private static readonly ProcessGraph Graph = ProcessGraph.Define("memo-bench", 1)
        .Map("by-store", DataSource.Dataset("sales"), StepWork.Sql("SELECT store, count(*) AS sales, sum(amount) AS revenue FROM input GROUP BY store"))
        .Reduce("total", DataSource.Step("by-store"), StepWork.Sql("SELECT store, sum(sales)::BIGINT AS sales, sum(revenue) AS revenue FROM partials GROUP BY store ORDER BY store"),
            s => s.As("partials"))
        .Build();

    private static string Write(string file, int partition, int rows, int seed)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"COPY (SELECT (i * 31 + {partition} + {seed}) % 500 AS store, ((i * 7919 + {seed}) % 1000)::INTEGER AS amount FROM range({rows}) t(i)) TO '{file}' (FORMAT parquet)";
        command.ExecuteNonQuery();
        return file;
    }
}
