using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.LocalData;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.Workers;

/// <summary>
/// A step written in C#, registered in the worker by name and version; a graph names it with
/// <c>StepWork.Code("name", version)</c>. It reads the task's input files and writes its outputs to paths from
/// <see cref="CodeStepContext.OutputFile"/>. Give a step a new <see cref="Version"/> whenever its output for the same
/// inputs changes: a process keeps the version it started with, and only workers that have it run its tasks.
/// </summary>
public interface ICodeStep
{
    /// <summary>The name graphs use for it: <c>StepWork.Code(Name, Version)</c>.</summary>
    string Name { get; }

    /// <summary>The version of its code (1 unless it says otherwise).</summary>
    int Version => 1;

    Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken);
}

/// <summary>What a C# step gets for one attempt of one task.</summary>
/// <param name="Progress">Where <see cref="ReportProgress"/> goes: the worker, which tells the orchestrator.</param>
public sealed record CodeStepContext(RunTask Task, IReadOnlyList<SqlInput> Inputs, Func<string, string> OutputFile, SqlSandbox Sql, CodeStepWorker Worker,
    Action<string>? Progress = null)
{
    /// <summary>
    /// Tells how far the step has got (<c>"4,000,000 of 9,000,000 rows"</c>): shown in the process's history, and where
    /// the graph allows it (<c>StepOptions.TimeoutExtendedByProgress</c>), each report lets the attempt run one more task
    /// timeout. Cheap to call often: the worker passes on at most one report a second.
    /// </summary>
    public void ReportProgress(string details) => Progress?.Invoke(details);
}

/// <param name="Labels">What the worker announces about itself (<c>--label region=EU</c>).</param>
/// <param name="LocalRoots">Its allow-listed directories: the only local files a step may touch in place.</param>
/// <param name="Blobs">The blob store, for a step that must know its uploads are confirmed before it goes on (see <see cref="CodeStepResult.Published"/>).</param>
public sealed record CodeStepWorker(WorkerId Id, IReadOnlyDictionary<string, string> Labels, LocalRoots LocalRoots, IBlobStore Blobs);

/// <summary>Files written (in order; each becomes one output blob) and small metadata for the process (e.g. <c>partitions=12</c>).</summary>
/// <param name="Published">Blobs the step wrote itself under names of its own; listed among the task's outputs after <paramref name="Outputs"/>.</param>
public sealed record CodeStepResult(IReadOnlyList<CodeStepOutput> Outputs, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<BlobRef>? Published = null);

/// <summary>A file the step wrote (one output blob) and its row count.</summary>
public sealed record CodeStepOutput(string File, long Rows);

/// <summary>The C# steps a worker can run, by name and version.</summary>
public sealed class CodeStepRegistry
{
    private readonly Dictionary<string, ICodeStep> _steps = new(StringComparer.Ordinal);

    public CodeStepRegistry Add(ICodeStep step)
    {
        var key = StepWork.CodeStepKey(step.Name, step.Version);
        if (step.Version < 1)
            throw new InvalidOperationException($"C# step '{step.Name}' ({step.GetType().Name}) has version {step.Version}; versions start at 1.");
        if (!StepWork.IsCodeStepName(step.Name))
            throw new InvalidOperationException($"C# step '{step.Name}' ({step.GetType().Name}) has a name a queue cannot carry; use letters, digits, '.', '_' and '-' only.");
        if (!_steps.TryAdd(key, step))
            throw new InvalidOperationException(
                $"C# step '{step.Name}' v{step.Version} is registered twice ({_steps[key].GetType().Name} and {step.GetType().Name}); give one another name or version.");
        return this;
    }

    /// <summary>What this worker announces it can run: <c>name@version</c>, sorted.</summary>
    public IReadOnlyList<string> Keys => _steps.Keys.Order(StringComparer.Ordinal).ToArray();

    public bool Has(string name, int version) => _steps.ContainsKey(StepWork.CodeStepKey(name, version));

    public ICodeStep Get(string name, int version) => _steps.TryGetValue(StepWork.CodeStepKey(name, version), out var step)
        ? step
        // Retryable: the next attempt is routed again, to a worker that has this version (one restarted under the same
        // name with another version may still receive a task sent to its own queue).
        : throw new StepFailure($"No C# step '{name}' v{version} is registered on this worker. Registered: {(_steps.Count == 0 ? "(none)" : string.Join(", ", Keys))}.", retryable: true);
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
