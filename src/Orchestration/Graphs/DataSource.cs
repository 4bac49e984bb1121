namespace Orchestration.Graphs;

/// <summary>Where a step's blobs come from: a dataset given when the process starts, or the outputs of an earlier step.</summary>
public sealed record DataSource(SourceKind Kind, string Name)
{
    /// <summary>The blobs of a dataset named in <c>StartProcess</c> (e.g. the daily sales files).</summary>
    public static DataSource Dataset(string name) => new(SourceKind.Dataset, name);

    /// <summary>Every output blob of an earlier step, in partition order; makes this step depend on it.</summary>
    public static DataSource Step(string name) => new(SourceKind.StepOutputs, name);

    public override string ToString() => Kind == SourceKind.Dataset ? $"dataset '{Name}'" : $"outputs of '{Name}'";
}

public enum SourceKind { Dataset, StepOutputs }

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
