namespace Orchestration.Contracts;

/// <summary>What kind of work a task does on a worker.</summary>
public enum WorkKind
{
    /// <summary>DuckDB SQL over the task's inputs; <see cref="StepWork.Body"/> is the SQL text.</summary>
    Sql,
    /// <summary>A C# step registered in the worker by name; <see cref="StepWork.Body"/> is that name.</summary>
    Code,
    /// <summary>The scatter half of a shuffle: split rows into buckets by hashing <see cref="StepWork.Body"/> (a key expression).</summary>
    Partition,
}

/// <summary>What a worker needs to run a step: the kind of work and its text. Parameters travel beside it.</summary>
/// <param name="Version">
/// For a C# step, the version of its code the task needs: only a worker that has that step at that version runs it, so a
/// rolling deploy never runs a task of a process started on v1 with v2 code. For partition work, the bucket function its
/// tasks use (<see cref="LatestBucketFunction"/>): a process keeps the one its graph was built with. Unused by SQL.
/// </param>
public sealed record StepWork(WorkKind Kind, string Body, int Version = 1)
{
    public static StepWork Sql(string sql) => new(WorkKind.Sql, sql);

    /// <summary>A C# step registered in the worker as <paramref name="registeredName"/> at <paramref name="version"/>.</summary>
    public static StepWork Code(string registeredName, int version = 1) => new(WorkKind.Code, registeredName, version);

    /// <summary>The scatter half of a shuffle by <paramref name="keyExpression"/>, with the latest bucket function.</summary>
    public static StepWork Partition(string keyExpression) => new(WorkKind.Partition, keyExpression, LatestBucketFunction);

    /// <summary>
    /// The bucket function new shuffles use (the workers' <c>ShuffleBucket</c> says what each is). 1 hashed every key's
    /// text with MD5; 2 hashes integers as numbers. Kept apart so that a process started before an upgrade keeps
    /// sending each key to the bucket its first scatter tasks did.
    /// </summary>
    public const int LatestBucketFunction = 2;

    /// <summary>The metadata a scatter task reports: the bucket function it used, checked against its step's before the buckets are gathered.</summary>
    public const string BucketFunctionMetadata = "bucket_function";

    /// <summary>The most buckets a shuffle may have: each of its scatter tasks writes one file per bucket.</summary>
    public const int MaxBuckets = 4_096;

    /// <summary>For a C# step, its name and version as workers announce them (<c>score-customers@2</c>); null for other work.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? CodeStep => Kind == WorkKind.Code ? CodeStepKey(Body, Version) : null;

    /// <summary>Whether a worker that has <paramref name="codeSteps"/> (<c>name@version</c>) can run this: any SQL; a C# step only at its version.</summary>
    public bool IsRunnableWith(IReadOnlyList<string>? codeSteps) => CodeStep is not { } needed || (codeSteps?.Contains(needed) ?? false);

    /// <summary>Whether <paramref name="name"/> can name a C# step: letters, digits, '.', '_' and '-' (it names the step's queue).</summary>
    public static bool IsCodeStepName(string name)
    {
        if (name.Length == 0) return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }

    /// <summary>How a C# step's name and version are written in announcements and reasons: <c>name@version</c>.</summary>
    public static string CodeStepKey(string name, int version) => $"{name}@{version}";
    public override string ToString() => Kind switch
    {
        WorkKind.Sql => $"SQL: {OneLine(Body)}",
        WorkKind.Code => $"C# step '{Body}' v{Version}",
        _ => $"partition by {Body}",
    };

    private static string OneLine(string text)
    {
        var flat = string.Join(' ', text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 80 ? flat : flat[..77] + "...";
    }
}
