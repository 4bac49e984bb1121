using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.LocalData;
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
/// <param name="Worker">The worker running the step, for steps that act on its own files (e.g. publish, then remove them).</param>
public sealed record CodeStepContext(RunTask Task, IReadOnlyList<SqlInput> Inputs, Func<string, string> OutputFile, SqlSandbox Sql, CodeStepWorker Worker);

/// <param name="Labels">What the worker announces about itself (<c>--label region=EU</c>).</param>
/// <param name="LocalRoots">Its allow-listed directories: the only local files a step may touch in place.</param>
/// <param name="Blobs">The blob store, for a step that must know its uploads are confirmed before it goes on (see <see cref="CodeStepResult.Published"/>).</param>
public sealed record CodeStepWorker(WorkerId Id, IReadOnlyDictionary<string, string> Labels, LocalRoots LocalRoots, IBlobStore Blobs);

/// <summary>Files written (in order; each becomes one output blob) and small metadata for the process (e.g. <c>partitions=12</c>).</summary>
/// <param name="Published">Blobs the step wrote itself under names of its own; listed among the task's outputs after <paramref name="Outputs"/>.</param>
public sealed record CodeStepResult(IReadOnlyList<CodeStepOutput> Outputs, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<BlobRef>? Published = null);

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
