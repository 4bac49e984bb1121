using System.Security.Cryptography;
using System.Text;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.Testing;

/// <summary>The ids, blobs and metrics specs share when a case does not care about them.</summary>
public static class SpecDefaults
{
    /// <summary>The process every spec is about.</summary>
    public static readonly ProcessId Process = ProcessId.From("p-1");
    /// <summary>The worker that answers, unless a spec names another.</summary>
    public static readonly WorkerId Worker = WorkerId.From("worker-1");
    /// <summary>A second worker.</summary>
    public static readonly WorkerId OtherWorker = WorkerId.From("worker-2");

    /// <summary>No parameters.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();
    /// <summary>No metadata.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();
    /// <summary>The metrics every result in specs reports.</summary>
    public static readonly TaskMetrics Metrics = new(100, 1_000, 10_000, TimeSpan.FromMilliseconds(250));

    /// <summary>A blob reference named <paramref name="name"/>, its hash derived from the name: the same name, the same blob.</summary>
    public static BlobRef Blob(string name, long rows = 100) =>
        new(new Uri($"blob://specs/{name}"), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))), 1_000, rows);

    /// <summary>Metadata of one key, as a step reports it (e.g. <c>Meta("partitions", "3")</c>).</summary>
    public static IReadOnlyDictionary<string, string> Meta(string key, string value) => new Dictionary<string, string> { [key] = value };

    /// <summary>The id of a task of the spec's process.</summary>
    public static TaskId Task(string step, int partition) => TaskId.For(Process, step, partition);

    /// <summary>Blobs named <c>{dataset}-{i}.parquet</c>, one per partition.</summary>
    public static IReadOnlyList<BlobRef> Partitions(string dataset, int count) =>
        Enumerable.Range(0, count).Select(i => Blob($"{dataset}-{i}.parquet")).ToArray();
}
