using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Testing;

namespace Orchestration.Specs.Harness;

/// <summary>The graphs, blobs and ids the specs share.</summary>
public static class Sample
{
    public static readonly ProcessId Process = SpecDefaults.Process;
    public static readonly WorkerId Worker = SpecDefaults.Worker;
    public static readonly WorkerId OtherWorker = SpecDefaults.OtherWorker;

    /// <summary>Per-store sales partials, then one merge: the shape of the demo.</summary>
    /// <param name="heartbeat">The map's heartbeat timeout (default 30 s); longer than its 1 minute task timeout, a started attempt is late at that timeout.</param>
    public static ProcessGraph SalesGraph(int maxAttempts = 3, TimeSpan? heartbeat = null) => ProcessGraph.Define("sales", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT store, sum(amount) AS revenue FROM input GROUP BY store"),
            s => s.With("stores", DataSource.Dataset("stores")).Retry(maxAttempts).Timeout(TimeSpan.FromMinutes(1))
                  .Heartbeat(heartbeat ?? RetryPolicy.Default.HeartbeatTimeout).Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)))
        .Reduce("total", DataSource.Step("partials"), StepWork.Sql("SELECT sum(revenue) FROM partials"),
            s => s.As("partials").Timeout(TimeSpan.FromMinutes(1)))
        .Build();

    /// <summary>The sales map alone: its outputs are the process's result.</summary>
    public static ProcessGraph MapOnlyGraph() => ProcessGraph.Define("sales-partials", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT store, sum(amount) AS revenue FROM input GROUP BY store"),
            s => s.With("stores", DataSource.Dataset("stores")).Timeout(TimeSpan.FromMinutes(1)))
        .Build();

    /// <summary>Two independent maps (sales, returns) joined by one reduce that reads both.</summary>
    public static ProcessGraph NetSalesGraph() => ProcessGraph.Define("net-sales", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT store, sum(amount) AS revenue FROM input GROUP BY store"),
            s => s.Timeout(TimeSpan.FromMinutes(1)))
        .Map("returns", DataSource.Dataset("returns"), StepWork.Sql("SELECT store, sum(amount) AS refunded FROM input GROUP BY store"),
            s => s.Timeout(TimeSpan.FromMinutes(1)))
        .Reduce("net", DataSource.Step("partials"), StepWork.Sql("SELECT ... FROM partials JOIN returns USING (store)"),
            s => s.As("partials").With("returns", DataSource.Step("returns")).Timeout(TimeSpan.FromMinutes(1)))
        .Build();

    /// <summary>A diamond: one extract, two branches over it, one report over both branches.</summary>
    public static ProcessGraph DiamondGraph() => ProcessGraph.Define("store-report", 1)
        .Reduce("extract", DataSource.Dataset("sales"), StepWork.Sql("SELECT * FROM input"))
        .Reduce("by-store", DataSource.Step("extract"), StepWork.Sql("SELECT store, sum(amount) FROM input GROUP BY store"))
        .Reduce("by-day", DataSource.Step("extract"), StepWork.Sql("SELECT day, sum(amount) FROM input GROUP BY day"))
        .Reduce("report", DataSource.Step("by-store"), StepWork.Code("render-report"), s => s.With("by-day", DataSource.Step("by-day")))
        .Build();

    /// <summary>
    /// A dynamic fan-out: each "list" task reports how many partitions it found, "fan" runs that many tasks in total,
    /// and "merge" reads the fan's outputs with the lists beside them.
    /// </summary>
    public static ProcessGraph DynamicGraph() => ProcessGraph.Define("repartition", 1)
        .Map("list", DataSource.Dataset("sales"), StepWork.Code("list-partitions"))
        .Map("fan", Metadata.Count("list", "partitions"), StepWork.Code("load-partition"), over: DataSource.Step("list"))
        .Reduce("merge", DataSource.Step("fan"), StepWork.Code("merge"), s => s.With("lists", DataSource.Step("list")))
        .Build();

    /// <summary>Sales hash-partitioned by store into three buckets, then summed per bucket.</summary>
    public static ProcessGraph ShuffleGraph() => ProcessGraph.Define("sales-by-store", 1)
        .Shuffle("by-store", DataSource.Dataset("sales"), "store", 3, StepWork.Sql("SELECT store, sum(amount) FROM input GROUP BY store"))
        .Build();

    /// <summary>A map whose every task sees the output of an earlier step as a side input.</summary>
    public static ProcessGraph SideInputGraph() => ProcessGraph.Define("sales-with-dims", 1)
        .Reduce("dims", DataSource.Dataset("stores"), StepWork.Sql("SELECT store, region FROM input"))
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT region, sum(amount) FROM input JOIN dims USING (store) GROUP BY region"),
            s => s.With("dims", DataSource.Step("dims")))
        .Build();

    public static IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> SalesData(int partitions = 2) => new Dictionary<string, IReadOnlyList<BlobRef>>
    {
        ["sales"] = Enumerable.Range(0, partitions).Select(i => Blob($"sales-{i}.parquet")).ToArray(),
        ["stores"] = [Blob("stores.parquet")],
    };

    /// <summary>The sales data plus one blob of returns, for <see cref="NetSalesGraph"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> NetSalesData() =>
        new Dictionary<string, IReadOnlyList<BlobRef>>(SalesData()) { ["returns"] = [Blob("returns-0.parquet")] };

    public static BlobRef Blob(string name, long rows = 100) => SpecDefaults.Blob(name, rows);

    public static readonly IReadOnlyDictionary<string, string> NoParameters = SpecDefaults.NoParameters;
    public static readonly IReadOnlyDictionary<string, string> NoMetadata = SpecDefaults.NoMetadata;
    public static readonly TaskMetrics Metrics = SpecDefaults.Metrics;

    public static IReadOnlyDictionary<string, string> Meta(string key, string value) => SpecDefaults.Meta(key, value);

    public static TaskId Task(string step, int partition) => SpecDefaults.Task(step, partition);
}
