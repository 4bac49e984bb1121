using Orchestration.Contracts;

namespace Orchestration.Testing;

/// <summary>One attempt of a task in a dry run, as its stub sees it.</summary>
/// <param name="Target">The worker it was placed on, for a step placed on every matching worker; else null.</param>
public sealed record DryRunTask(string Step, int Partition, int Attempt, IReadOnlyList<TaskInput> Inputs, string? Target);

/// <summary>What a stubbed step does with one attempt in a dry run: succeed with outputs and metadata, fail, or hang until it times out.</summary>
public abstract record StepOutcome
{
    /// <summary>Succeeds with <paramref name="outputs"/> output blobs of <paramref name="rows"/> rows each and <paramref name="metadata"/> (e.g. <c>partitions=3</c>).</summary>
    public static StepOutcome Succeeds(IReadOnlyDictionary<string, string>? metadata = null, int outputs = 1, long rows = 10) =>
        new Success(metadata ?? new Dictionary<string, string>(), outputs, rows);

    /// <summary>Succeeds with one key of metadata.</summary>
    public static StepOutcome Succeeds(string key, string value) => Succeeds(new Dictionary<string, string> { [key] = value });

    /// <summary>Fails with <paramref name="error"/>: retried up to the step's limit when <paramref name="retryable"/>, else the step fails at once.</summary>
    public static StepOutcome Fails(string error, bool retryable = true) => new Failure(error, retryable);

    /// <summary>Never answers: the attempt is timed out at its deadline.</summary>
    public static StepOutcome Hangs() => new Hang();

    internal sealed record Success(IReadOnlyDictionary<string, string> Metadata, int Outputs, long Rows) : StepOutcome;
    internal sealed record Failure(string Error, bool Retryable) : StepOutcome;
    internal sealed record Hang : StepOutcome;
}
