using Orchestration.Contracts;

namespace Orchestration.Graphs;

/// <summary>How many of the workers a selector matches run a step's tasks.</summary>
public enum Target
{
    /// <summary>Each task runs once, on any one matching worker (they compete).</summary>
    Any,
    /// <summary>Each task runs on every matching worker: one task per worker, the set fixed when the step starts.</summary>
    All,
}

/// <summary>
/// Where a step runs: on workers whose labels match <see cref="Selector"/>, once (<see cref="Target.Any"/>) or on each
/// (<see cref="Target.All"/>). The step waits up to <see cref="Wait"/> for a matching worker before it fails.
/// </summary>
public sealed record Placement(WorkerSelector Selector, Target Mode, TimeSpan Wait)
{
    public override string ToString() =>
        $"{(Mode == Target.All ? "on every worker" : "on any worker")} matching {Selector}{(Wait > TimeSpan.Zero ? $" (waits up to {Wait.TotalSeconds:0.###} s)" : "")}";
}

/// <summary>
/// A live worker as the aggregate sees it when it places a step: its id, labels and C# steps (<c>name@version</c>),
/// nothing that changes by the second.
/// </summary>
public sealed record LabeledWorker(WorkerId Id, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string>? Steps = null)
{
    /// <summary>Whether it can run <paramref name="work"/>: any SQL; a C# step only at the version it has.</summary>
    public bool CanRun(StepWork work) => work.IsRunnableWith(Steps);

    /// <summary>As <see cref="ToString"/>, with the versions it has of <paramref name="work"/>'s C# step, if it is one.</summary>
    public string Describe(StepWork work)
    {
        if (work.Kind != WorkKind.Code) return ToString();
        var versions = (Steps ?? []).Where(s => s.StartsWith(work.Body + "@", StringComparison.Ordinal)).ToList();
        return $"{ToString()[..^1]}; {(versions.Count == 0 ? $"no '{work.Body}'" : string.Join(", ", versions))})";
    }

    public override string ToString() =>
        $"{Id} ({(Labels.Count == 0 ? "no labels" : string.Join(", ", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))})";
}
