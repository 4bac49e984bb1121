using System.Security.Cryptography;
using System.Text;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;

namespace Orchestration.Specs.Harness;

/// <summary>The graphs, blobs and ids the specs share.</summary>
public static class Sample
{
    public static readonly ProcessId Process = ProcessId.From("p-1");
    public static readonly WorkerId Worker = WorkerId.From("worker-1");
    public static readonly WorkerId OtherWorker = WorkerId.From("worker-2");

    /// <summary>Per-store sales partials, then one merge: the shape of the demo.</summary>
    public static ProcessGraph SalesGraph(int maxAttempts = 3) => ProcessGraph.Define("sales", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT store, sum(amount) AS revenue FROM input GROUP BY store"),
            s => s.With("stores", DataSource.Dataset("stores")).Retry(maxAttempts).Timeout(TimeSpan.FromMinutes(1))
                  .Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)))
        .Reduce("total", DataSource.Step("partials"), StepWork.Sql("SELECT sum(revenue) FROM partials"),
            s => s.As("partials").Timeout(TimeSpan.FromMinutes(1)))
        .Build();

    public static IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> SalesData(int partitions = 2) => new Dictionary<string, IReadOnlyList<BlobRef>>
    {
        ["sales"] = Enumerable.Range(0, partitions).Select(i => Blob($"sales-{i}.parquet")).ToArray(),
        ["stores"] = [Blob("stores.parquet")],
    };

    public static BlobRef Blob(string name, long rows = 100) =>
        new(new Uri($"blob://specs/{name}"), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))), 1_000, rows);

    public static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();
    public static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();
    public static readonly TaskMetrics Metrics = new(100, 1_000, 10_000, TimeSpan.FromMilliseconds(250));

    public static IReadOnlyDictionary<string, string> Meta(string key, string value) => new Dictionary<string, string> { [key] = value };

    public static TaskId Task(string step, int partition) => TaskId.For(Process, step, partition);
}
