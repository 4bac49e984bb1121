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

/// <summary>
/// A count read at run time from the metadata of an earlier step's tasks (summed over its tasks). Compared with a
/// number it makes a step's condition: <c>s.OnlyIf(Metadata.Count("find", "rows") &gt; 0)</c>.
/// </summary>
public sealed record MetadataCount(string Step, string Key)
{
    public override string ToString() => $"metadata '{Key}' of '{Step}'";

    public static StepCondition operator >(MetadataCount value, long than) => new(value, Comparison.Above, than);
    public static StepCondition operator <(MetadataCount value, long than) => new(value, Comparison.Below, than);
    public static StepCondition operator >=(MetadataCount value, long than) => new(value, Comparison.AtLeast, than);
    public static StepCondition operator <=(MetadataCount value, long than) => new(value, Comparison.AtMost, than);
}

/// <summary>
/// A list read at run time from the metadata of an earlier step's tasks: each task's value is a JSON array of items
/// (e.g. <c>["2026-05-01","2026-05-02"]</c>), concatenated in partition order.
/// </summary>
public sealed record MetadataItems(string Step, string Key)
{
    public override string ToString() => $"the items of metadata '{Key}' of '{Step}'";
}

/// <summary>Names metadata of an earlier step: <c>Metadata.Count("list", "partitions")</c>, <c>Metadata.Items("find-days", "days")</c>.</summary>
public static class Metadata
{
    public static MetadataCount Count(string step, string key) => new(step, key);

    public static MetadataItems Items(string step, string key) => new(step, key);
}

/// <summary>How a <see cref="StepCondition"/> compares.</summary>
public enum Comparison { Above, Below, AtLeast, AtMost }

/// <summary>
/// When a step runs: a count from an earlier step's metadata compared with a number, evaluated once, when the step
/// would start. If it does not hold, the step is skipped (recorded with why), and so is every step that depends on it.
/// </summary>
public sealed record StepCondition(MetadataCount Value, Comparison Comparison, long Than)
{
    public bool HoldsFor(long value) => Comparison switch
    {
        Comparison.Above => value > Than,
        Comparison.Below => value < Than,
        Comparison.AtLeast => value >= Than,
        _ => value <= Than,
    };

    public override string ToString() => $"{Value} {Comparison switch { Comparison.Above => ">", Comparison.Below => "<", Comparison.AtLeast => ">=", _ => "<=" }} {Than}";
}
