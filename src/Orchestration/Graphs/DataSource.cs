namespace Orchestration.Graphs;

/// <summary>
/// Where a step's blobs come from: a dataset given when the process starts, the outputs of an earlier step, or files
/// that stay on the worker that runs the task.
/// </summary>
/// <param name="Pattern">For <see cref="SourceKind.Local"/>: the glob under the worker's root; null otherwise.</param>
public sealed record DataSource(SourceKind Kind, string Name, string? Pattern = null)
{
    /// <summary>The blobs of a dataset named in <c>StartProcess</c> (e.g. the daily sales files).</summary>
    public static DataSource Dataset(string name) => new(SourceKind.Dataset, name);

    /// <summary>Every output blob of an earlier step, in partition order; makes this step depend on it.</summary>
    public static DataSource Step(string name) => new(SourceKind.StepOutputs, name);

    /// <summary>
    /// The files matching <paramref name="pattern"/> (e.g. <c>*.csv</c>, <c>2026/**/*.parquet</c>) under the local root
    /// <paramref name="root"/> of the worker that runs the task (<c>orch worker --allow-local sales=/srv/pos</c>), read
    /// there as <c>local://sales/*.csv</c>. The orchestrator cannot list a worker's files, so a step gets one reference
    /// per local source, not one per file: a map over it is one task, a broadcast one task per target worker.
    /// </summary>
    public static DataSource Local(string root, string pattern) => new(SourceKind.Local, root, pattern);

    /// <summary>No blobs: for a step that works on what its worker has (e.g. a C# step over the worker's own files).</summary>
    public static readonly DataSource Nothing = new(SourceKind.Nothing, "");

    public override string ToString() => Kind switch
    {
        SourceKind.Nothing => "no input",
        SourceKind.Dataset => $"dataset '{Name}'",
        SourceKind.Local => $"local files '{Name}/{Pattern}'",
        _ => $"outputs of '{Name}'",
    };
}

/// <summary>Where a step's input comes from: a dataset, an earlier step's outputs, a worker's local files, or nothing.</summary>
public enum SourceKind { Dataset, StepOutputs, Local, Nothing }

/// <summary>A count read at run time from the metadata of an earlier step's tasks (summed over its tasks).</summary>
public sealed record MetadataCount(string Step, string Key)
{
    public override string ToString() => $"metadata '{Key}' of '{Step}'";
}

/// <summary>Names a <see cref="MetadataCount"/>: <c>Metadata.Count("list", "partitions")</c>.</summary>
public static class Metadata
{
    public static MetadataCount Count(string step, string key) => new(step, key);
}
