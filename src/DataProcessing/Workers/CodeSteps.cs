using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.Workers;

/// <summary>
/// A step written in C#, registered in the worker by name; a graph names it with <c>StepWork.Code("name")</c>.
/// It reads the task's input files and writes its outputs to paths from <see cref="CodeStepContext.OutputFile"/>.
/// </summary>
public interface ICodeStep
{
    string Name { get; }
    Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken);
}

/// <param name="Inputs">The task's input blobs, downloaded to local files, with their view names.</param>
/// <param name="OutputFile">The path to write an output file of that name to, inside the task's scratch directory.</param>
/// <param name="Sql">The worker's sandboxed DuckDB, for steps that mix C# with SQL.</param>
public sealed record CodeStepContext(RunTask Task, IReadOnlyList<SqlInput> Inputs, Func<string, string> OutputFile, SqlSandbox Sql);

/// <summary>Files written (in order; each becomes one output blob) and small metadata for the process (e.g. <c>partitions=12</c>).</summary>
public sealed record CodeStepResult(IReadOnlyList<CodeStepOutput> Outputs, IReadOnlyDictionary<string, string> Metadata);

public sealed record CodeStepOutput(string File, long Rows);

/// <summary>The C# steps a worker can run, by name.</summary>
public sealed class CodeStepRegistry
{
    private readonly Dictionary<string, ICodeStep> _steps = new(StringComparer.Ordinal);

    public CodeStepRegistry Add(ICodeStep step)
    {
        if (!_steps.TryAdd(step.Name, step))
            throw new InvalidOperationException($"Two C# steps are registered as '{step.Name}'; give one another name.");
        return this;
    }

    public ICodeStep Get(string name) => _steps.TryGetValue(name, out var step)
        ? step
        : throw new StepFailure($"No C# step named '{name}' is registered on this worker. Registered: {(_steps.Count == 0 ? "(none)" : string.Join(", ", _steps.Keys.Order()))}.", retryable: false);
}

/// <summary>Does nothing and writes nothing: for measuring the engine itself.</summary>
public sealed class NoOpStep : ICodeStep
{
    public string Name => "noop";

    public Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new CodeStepResult([], new Dictionary<string, string>()));
}

/// <summary>
/// Writes nothing and reports <c>count</c> (its parameter) as metadata, for a later step to fan out to that many
/// tasks: <c>Map("work", Metadata.Count("fan-out", "count"), ...)</c>.
/// </summary>
public sealed class FanOutStep : ICodeStep
{
    public string Name => "fan-out";

    public Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new CodeStepResult([], new Dictionary<string, string>
        {
            ["count"] = context.Task.Parameters.TryGetValue("count", out var count) ? count
                : throw new StepFailure("The fan-out step needs a 'count' parameter (how many tasks the next step should run).", retryable: false),
        }));
}
