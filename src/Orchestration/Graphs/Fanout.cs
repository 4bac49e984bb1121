using Orchestration.Contracts;
using System.Text.Json.Serialization;

namespace Orchestration.Graphs;

/// <summary>
/// How a step turns into tasks when it starts. Decided from data known at that moment (datasets,
/// earlier outputs and their metadata), so a process replays to the same tasks.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "fanout")]
[JsonDerivedType(typeof(OnePerBlob), "one-per-blob")]
[JsonDerivedType(typeof(AllInOne), "all-in-one")]
[JsonDerivedType(typeof(CountFromMetadata), "count-from-metadata")]
[JsonDerivedType(typeof(OnePerBucket), "one-per-bucket")]
[JsonDerivedType(typeof(OnePerItem), "one-per-item")]
public abstract record Fanout
{
    /// <summary>The steps whose outputs or metadata this fan-out reads.</summary>
    public abstract IEnumerable<string> StepsRead { get; }

    /// <summary>The source whose blobs a task reads as its main input, if the fan-out has one.</summary>
    [JsonIgnore]
    public DataSource? MainSource => this switch
    {
        OnePerBlob f => f.Source,
        AllInOne f => f.Source,
        CountFromMetadata f => f.Source,
        OnePerItem f => f.Source,
        _ => null,
    };

    private protected static IEnumerable<string> StepOf(DataSource? source) =>
        source is { Kind: SourceKind.StepOutputs } ? [source.Name] : [];
}

/// <summary>
/// Map: one task per blob of the source; with <see cref="PackUpTo"/>, one task per run of consecutive blobs that holds at
/// most that many bytes (a blob as big or of unknown size alone), as Spark packs small files into one split.
/// </summary>
public sealed record OnePerBlob(DataSource Source, long? PackUpTo = null) : Fanout
{
    public override IEnumerable<string> StepsRead => StepOf(Source);
    public override string ToString() => PackUpTo is { } bytes
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"one task per run of blobs of {Source} of up to {bytes:N0} bytes")
        : $"one task per blob of {Source}";

    /// <summary>The blobs of each task, in order: runs of consecutive blobs of at most <see cref="PackUpTo"/> bytes, or one each.</summary>
    public IEnumerable<IReadOnlyList<BlobRef>> Tasks(IReadOnlyList<BlobRef> blobs)
    {
        if (PackUpTo is not { } limit)
        {
            foreach (var blob in blobs) yield return [blob];
            yield break;
        }
        var run = new List<BlobRef>();
        long bytes = 0;
        foreach (var blob in blobs)
        {
            var alone = blob.Size < 0 || blob.Size >= limit || LocalInput.IsLocal(blob);
            if (run.Count > 0 && (alone || bytes + blob.Size > limit))
            {
                yield return run;
                (run, bytes) = ([], 0);
            }
            if (alone) { yield return [blob]; continue; }
            run.Add(blob);
            bytes += blob.Size;
        }
        if (run.Count > 0) yield return run;
    }
}

/// <summary>Reduce: one task over every blob of the source.</summary>
public sealed record AllInOne(DataSource Source) : Fanout
{
    public override IEnumerable<string> StepsRead => StepOf(Source);
    public override string ToString() => $"one task over all of {Source}";
}

/// <summary>Dynamic map: as many tasks as an earlier step's metadata says; each task sees all of <see cref="Source"/>, if any.</summary>
public sealed record CountFromMetadata(MetadataCount Count, DataSource? Source) : Fanout
{
    public override IEnumerable<string> StepsRead => StepOf(Source).Append(Count.Step).Distinct();
    public override string ToString() => $"one task per unit of {Count}";
}

/// <summary>
/// Gather half of a shuffle: task <c>b</c> reads output <c>b</c> of every task of the scatter step as its main input,
/// and, in a shuffle join, bucket <c>b</c> of each other shuffled input (<see cref="Joined"/>) under its own view name.
/// </summary>
public sealed record OnePerBucket(string ScatterStep, int Buckets, IReadOnlyList<JoinedBuckets>? Joined = null) : Fanout
{
    public override IEnumerable<string> StepsRead => Joined is null ? [ScatterStep] : [ScatterStep, .. Joined.Select(j => j.ScatterStep)];
    public override string ToString() =>
        $"one task per bucket ({Buckets}) of '{ScatterStep}'{(Joined is null ? "" : string.Concat(Joined.Select(j => $", joined with '{j.ScatterStep}' as {j.View}")))}";
}

/// <summary>Another input of a shuffle join: the scatter step that cut it into the same buckets, and the view its task reads it as.</summary>
public sealed record JoinedBuckets(string View, string ScatterStep);

/// <summary>
/// Fan-out over items: one task per item of a list an earlier step reported in its metadata, the item given to the
/// task as parameter <c>item</c> (in SQL: <c>getvariable('item')</c>, a bound value, never spliced into the text); each
/// task sees all of <see cref="Source"/>, if any.
/// </summary>
public sealed record OnePerItem(MetadataItems Items, DataSource? Source) : Fanout
{
    public override IEnumerable<string> StepsRead => StepOf(Source).Append(Items.Step).Distinct();
    public override string ToString() => $"one task per item of {Items}";
}
