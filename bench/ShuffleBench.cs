using System.Diagnostics;
using DuckDB.NET.Data;
using Orchestration.CommandLine;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Processes;

namespace Orchestration.Bench;

/// <summary>
/// A shuffle over 100 M rows (100 Parquet partitions x 1 M rows, 16 buckets): the exact number of distinct customers per
/// country, where one customer appears in every partition, through the embedded engine (scatter, then one task per
/// bucket, then the merge), next to one direct DuckDB query over the same files in the same run.
/// </summary>
internal static class ShuffleBench
{
    private const int Buckets = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        var pack = Array.IndexOf(args, "--pack-mb");
        _packUpTo = pack > 0 ? (long)(double.Parse(args[pack + 1], System.Globalization.CultureInfo.InvariantCulture) * 1_000_000) : null;
        var numbers = args.Skip(1).Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && i != pack).Select(int.Parse).ToArray();
        var partitions = numbers.Length > 0 ? numbers[0] : 100;
        var rowsPerPartition = numbers.Length > 1 ? numbers[1] : 1_000_000;
        var root = Directory.CreateTempSubdirectory("orch-shuffle-bench-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var files = Write(Path.Combine(root, "orders"), partitions, rowsPerPartition);
            Console.WriteLine($"shuffle: distinct customers per country over {partitions} Parquet partitions x {rowsPerPartition:N0} rows ({files.Sum(f => new FileInfo(f).Length) / 1e6:N0} MB), {Buckets} buckets" +
                              $"{(_packUpTo is { } bytes ? $", the scatter's files packed up to {bytes / 1e6:N0} MB" : "")} ({clock.Elapsed.TotalSeconds:0} s to write the input)");

            var (direct, expected) = Direct(files);
            var (raw, rawRows) = RawShuffle(files, Path.Combine(root, "raw-shuffle"));
            if (!rawRows.SequenceEqual(expected)) throw new InvalidOperationException("the raw shuffle's result differs from the direct query's");
            var (upload, process, rows) = await EngineAsync(Path.Combine(root, "data"), files);
            if (!rows.SequenceEqual(expected)) throw new InvalidOperationException($"the engine's result differs from DuckDB's: {string.Join("; ", rows)} vs {string.Join("; ", expected)}");

            Console.WriteLine($"  one direct DuckDB query:             {direct.TotalMilliseconds,9:N0} ms");
            Console.WriteLine($"  the same shuffle in DuckDB alone:    {raw.TotalMilliseconds,9:N0} ms  ({raw / direct:0.0}x; one PARTITION_BY write of every file, all threads, then each bucket's query)");
            Console.WriteLine($"  engine, process only (embedded):     {process.TotalMilliseconds,9:N0} ms  ({process / direct:0.0}x the direct query, {process / raw:0.0}x the shuffle in DuckDB alone)");
            Console.WriteLine($"  engine, with inputs into blob store: {(upload + process).TotalMilliseconds,9:N0} ms  ({(upload + process) / direct:0.0}x); result equal to DuckDB's");
            if (args.Contains("--distributed"))
            {
                var (dUpload, dProcess, dRows) = await DistributedAsync(files, Path.Combine(root, "distributed-result.parquet"));
                if (!dRows.SequenceEqual(expected)) throw new InvalidOperationException("the distributed engine's result differs from DuckDB's");
                Console.WriteLine($"  distributed (orchestrator + 2 worker processes x {DistributedWorkerSlots} slots, Azurite): process {dProcess.TotalMilliseconds:N0} ms ({dProcess / direct:0.0}x the direct query), " +
                    $"inputs into blob storage {dUpload.TotalMilliseconds:N0} ms; result equal to DuckDB's");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Partition <c>f</c> holds customers spread over 5 M ids, so that most appear in many partitions.</summary>
    private static IReadOnlyList<string> Write(string directory, int partitions, int rows)
    {
        Directory.CreateDirectory(directory);
        using var db = Open();
        return Enumerable.Range(0, partitions).Select(f =>
        {
            var file = Path.Combine(directory, $"part-{f:000}.parquet");
            Execute(db, $"""
                COPY (SELECT (i * 7919 + {f} * 104729) % 5000000 AS customer_id,
                             ['FR','DE','US','CA','JP','BR'][1 + ((i * 7919 + {f} * 104729) % 5000000) % 6] AS country,
                             (i % 997)::INTEGER AS amount
                      FROM range({rows}) t(i)) TO '{file}' (FORMAT parquet)
                """);
            return file;
        }).ToArray();
    }

    private const string PerBucket = "SELECT country, count(DISTINCT customer_id) AS customers FROM input GROUP BY country";
    private const string Merge = "SELECT country, sum(customers)::BIGINT AS customers FROM partials GROUP BY country ORDER BY country";

    private static (TimeSpan Elapsed, IReadOnlyList<string> Rows) Direct(IReadOnlyList<string> files)
    {
        var best = TimeSpan.MaxValue;
        IReadOnlyList<string> rows = [];
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            using var db = Open();
            rows = Rows(db, $"SELECT country, count(DISTINCT customer_id) AS customers FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}]) GROUP BY country ORDER BY country");
            best = TimeSpan.FromTicks(Math.Min(best.Ticks, clock.Elapsed.Ticks));
        }
        return (best, rows);
    }

    /// <summary>
    /// The floor of shuffling through files, with no engine: every input file's rows written to their buckets by one
    /// DuckDB <c>COPY ... PARTITION_BY</c> with all threads and the engine's bucket function, then the per-bucket query
    /// over each bucket's files and the merge, in one process.
    /// </summary>
    private static (TimeSpan Elapsed, IReadOnlyList<string> Rows) RawShuffle(IReadOnlyList<string> files, string directory)
    {
        var clock = Stopwatch.StartNew();
        using var db = Open();
        var bucket = Orchestration.DataProcessing.Sql.ShuffleBucket.Sql("customer_id", "BIGINT", Buckets, StepWork.LatestBucketFunction);
        Execute(db, $"COPY (SELECT *, {bucket} AS b FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}])) TO '{directory}' (FORMAT parquet, PARTITION_BY (b))");
        Execute(db, "CREATE TABLE partials (country VARCHAR, customers BIGINT)");
        for (var b = 0; b < Buckets; b++)
            if (Directory.Exists(Path.Combine(directory, $"b={b}")))
                Execute(db, $"INSERT INTO partials {PerBucket.Replace("FROM input", $"FROM read_parquet('{Path.Combine(directory, $"b={b}")}/*.parquet')")}");
        var rows = Rows(db, Merge);
        return (clock.Elapsed, rows);
    }

    private static async Task<(TimeSpan Upload, TimeSpan Process, IReadOnlyList<string> Rows)> EngineAsync(string data, IReadOnlyList<string> files)
    {
        await using var engine = await EmbeddedEngine.StartAsync(new EngineOptions(data, Environment.ProcessorCount));
        var clock = Stopwatch.StartNew();
        var datasets = new Dictionary<string, IReadOnlyList<BlobRef>> { ["orders"] = await Inputs.UploadAsync(engine.Blobs, files, CancellationToken.None) };
        var upload = clock.Elapsed;
        clock.Restart();
        var id = ProcessId.From($"shuffle-bench-{Guid.NewGuid():N}");
        await engine.Runtime.SendAsync(new StartProcess(id, Graph(), datasets, new Dictionary<string, string>()));
        var state = await engine.WaitForEndAsync(id);
        var process = clock.Elapsed;
        if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"shuffle bench {state.Status}: {state.EndReason}");
        PrintSteps(state);
        var result = state.Step("merge").ScheduledTasks.Single().Outputs.Single();
        var local = Path.Combine(data, "result.parquet");
        await engine.Blobs.DownloadAsync(result, local, CancellationToken.None);
        using var db = Open();
        return (upload, process, Rows(db, $"SELECT * FROM '{local}' ORDER BY country"));
    }

    /// <summary>Where the process's time went: each step's tasks and the time they took on their workers, summed and at most.</summary>
    private static void PrintSteps(ProcessState state)
    {
        foreach (var step in state.Steps)
        {
            var durations = step.ScheduledTasks.Select(t => t.Metrics?.Duration ?? TimeSpan.Zero).ToArray();
            Console.WriteLine($"    step {step.Name,-20} {durations.Length,5} tasks, on their workers {durations.Sum(d => d.TotalMilliseconds),9:N0} ms in all, at most {durations.Max(d => d.TotalMilliseconds):N0} ms");
        }
    }

    private const int DistributedWorkerSlots = 2;

    private static async Task<(TimeSpan Upload, TimeSpan Process, IReadOnlyList<string> Rows)> DistributedAsync(IReadOnlyList<string> files, string local)
    {
        var settings = DistributedBench.NewSettings();
        try
        {
            await using var hosts = await DistributedBench.EngineHosts.StartAsync(settings);
            var client = hosts.Client;
            var clock = Stopwatch.StartNew();
            var datasets = new Dictionary<string, IReadOnlyList<BlobRef>> { ["orders"] = await Inputs.UploadAsync(client.Blobs, files, CancellationToken.None) };
            var upload = clock.Elapsed;
            clock.Restart();
            var id = ProcessId.From($"shuffle-bench-{Guid.NewGuid():N}");
            await client.SendAsync(new StartProcess(id, Graph(), datasets, new Dictionary<string, string>()));
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(30));
            var state = await client.WaitForEndAsync(id, cancellationToken: deadline.Token);
            var process = clock.Elapsed;
            if (state.Status != ProcessStatus.Completed) throw new InvalidOperationException($"distributed shuffle bench {state.Status}: {state.EndReason}");
            await client.Blobs.DownloadAsync(state.Step("merge").ScheduledTasks.Single().Outputs.Single(), local, CancellationToken.None);
            using var db = Open();
            return (upload, process, Rows(db, $"SELECT * FROM '{local}' ORDER BY country"));
        }
        finally
        {
            await DistributedBench.CleanUpAsync(settings, [settings]);
        }
    }

    /// <summary>With <c>--pack-mb N</c>, the scatter reads runs of files of at most N megabytes (<c>PackBlobsUpTo</c>).</summary>
    private static long? _packUpTo;

    private static ProcessGraph Graph() => ProcessGraph.Define("shuffle-bench", 1)
        .Shuffle("customers", DataSource.Dataset("orders"), "customer_id", Buckets, StepWork.Sql(PerBucket), s => { if (_packUpTo is { } bytes) s.PackBlobsUpTo(bytes); })
        .Reduce("merge", DataSource.Step("customers"), StepWork.Sql(Merge), s => s.As("partials"))
        .Build();

    private static DuckDBConnection Open()
    {
        var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        return db;
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static IReadOnlyList<string> Rows(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add($"{reader.GetValue(0)} {reader.GetValue(1)}");
        return rows;
    }
}
