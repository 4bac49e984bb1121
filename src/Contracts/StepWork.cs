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
public sealed record StepWork(WorkKind Kind, string Body)
{
    public static StepWork Sql(string sql) => new(WorkKind.Sql, sql);
    public static StepWork Code(string registeredName) => new(WorkKind.Code, registeredName);
    public static StepWork Partition(string keyExpression) => new(WorkKind.Partition, keyExpression);

    public override string ToString() => Kind switch
    {
        WorkKind.Sql => $"SQL: {OneLine(Body)}",
        WorkKind.Code => $"C# step '{Body}'",
        _ => $"partition by {Body}",
    };

    private static string OneLine(string text)
    {
        var flat = string.Join(' ', text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 80 ? flat : flat[..77] + "...";
    }
}
