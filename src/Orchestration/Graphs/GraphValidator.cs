using System.Text.RegularExpressions;
using Orchestration.Contracts;

namespace Orchestration.Graphs;

/// <summary>Finds every problem of a graph at once, so a user fixes them in one pass rather than one per run.</summary>
public static partial class GraphValidator
{
    // Step names become parts of task ids and blob paths: keep them to a safe alphabet.
    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex SafeName();

    public static IReadOnlyList<string> Problems(ProcessGraph graph)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(graph.Name)) problems.Add("the graph has no name");
        if (graph.Version < 1) problems.Add($"version {graph.Version} must be 1 or more");
        if (graph.Steps.Count == 0) problems.Add("the graph has no steps");

        foreach (var duplicate in graph.Steps.GroupBy(s => s.Name).Where(g => g.Count() > 1))
            problems.Add($"step name '{duplicate.Key}' is used {duplicate.Count()} times");

        var names = graph.Steps.Select(s => s.Name).ToHashSet();
        foreach (var step in graph.Steps)
            problems.AddRange(ProblemsOf(step, names));

        problems.AddRange(Cycles(graph).Select(cycle => $"steps form a cycle: {string.Join(" -> ", cycle)}"));
        return problems;
    }

    private static IEnumerable<string> ProblemsOf(StepDefinition step, HashSet<string> names)
    {
        if (!SafeName().IsMatch(step.Name))
            yield return $"step name '{step.Name}' must be 1-64 characters of a-z, 0-9, '_', '-', '.', starting with a letter or digit";
        foreach (var dependency in step.DependsOn.Where(d => !names.Contains(d)))
            yield return step.Condition?.Value.Step == dependency
                ? $"step '{step.Name}' runs only if {step.Condition}, but the graph has no step '{dependency}'"
                : $"step '{step.Name}' depends on unknown step '{dependency}'";
        if (step.Lists is { Count: > 0 } && step.Work.Kind != WorkKind.Sql)
            yield return $"step '{step.Name}' reports lists ({string.Join(", ", step.Lists.Keys)}), which only a SQL step's tasks do; a C# step puts its lists in its metadata itself";
        foreach (var (key, column) in step.Lists ?? new Dictionary<string, string>())
            if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(column))
                yield return $"step '{step.Name}' reports a list with no name or no column ('{key}' of '{column}')";
        if (step.DependsOn.Contains(step.Name))
            yield return $"step '{step.Name}' depends on itself";
        if (string.IsNullOrWhiteSpace(step.Work.Body))
            yield return $"step '{step.Name}' has no {(step.Work.Kind == WorkKind.Sql ? "SQL" : "work")} to run";
        else if (step.Work.Kind == WorkKind.Code && !StepWork.IsCodeStepName(step.Work.Body))
            yield return $"step '{step.Name}' names C# step '{step.Work.Body}'; a C# step's name is letters, digits, '.', '_' and '-' only";
        if (step.Work.Kind == WorkKind.Code && step.Work.Version < 1)
            yield return $"step '{step.Name}' asks for C# step '{step.Work.Body}' v{step.Work.Version}; versions start at 1";
        if (string.IsNullOrWhiteSpace(step.InputName))
            yield return $"step '{step.Name}' has no input view name";
        foreach (var side in step.SideInputs.GroupBy(s => s.Name).Where(g => g.Count() > 1 || g.Key == step.InputName))
            yield return $"step '{step.Name}' uses the view name '{side.Key}' twice";
        if (step.Retry.MaxAttempts < 1)
            yield return $"step '{step.Name}' must allow at least 1 attempt (has {step.Retry.MaxAttempts})";
        if (step.Retry.TaskTimeout <= TimeSpan.Zero)
            yield return $"step '{step.Name}' needs a positive task timeout";
        if (step.Retry.QueueTimeout <= TimeSpan.Zero)
            yield return $"step '{step.Name}' needs a positive queue timeout";
        if (step.Retry.HeartbeatTimeout <= TimeSpan.Zero)
            yield return $"step '{step.Name}' needs a positive heartbeat timeout";
        if (step.Fanout is OnePerBucket { Buckets: < 1 or > StepWork.MaxBuckets } bucketed)
            yield return $"shuffle step '{step.Name}' has {bucketed.Buckets} buckets; a shuffle has 1 to {StepWork.MaxBuckets}";
        if (step.Fanout is OnePerBucket { Joined: { } joined })
            foreach (var view in joined.Select(j => j.View).Append(step.InputName).Concat(step.SideInputs.Select(s => s.Name)).GroupBy(v => v).Where(g => g.Count() > 1 || string.IsNullOrWhiteSpace(g.Key)))
                yield return string.IsNullOrWhiteSpace(view.Key)
                    ? $"shuffle step '{step.Name}' joins an input with no view name; name each input after the first (ShuffledInput.As(view, ...))"
                    : $"shuffle step '{step.Name}' reads two inputs as '{view.Key}'; give each its own view name";
        if (step.MaxConcurrency is < 1)
            yield return $"step '{step.Name}' has a concurrency limit of {step.MaxConcurrency}; it must be at least 1";
        if (step.MaxConcurrency is not null && step.On is { Mode: Target.All })
            yield return $"step '{step.Name}' runs one task on each matching worker, so a concurrency limit cannot hold it back; place it on any worker (Target.Any) to limit it";
        if (step.Retry.ProgressExtendsUpTo != TimeSpan.Zero && step.Work.Kind != WorkKind.Code)
            yield return $"step '{step.Name}' lets progress extend its timeout, but only a C# step reports progress; give its SQL a longer Timeout instead";
        else if (step.Retry.ProgressExtendsUpTo != TimeSpan.Zero && step.Retry.ProgressExtendsUpTo <= step.Retry.TaskTimeout)
            yield return $"step '{step.Name}' lets progress extend its {step.Retry.TaskTimeout.TotalSeconds:0.###} s timeout only up to {step.Retry.ProgressExtendsUpTo.TotalSeconds:0.###} s; the limit must be longer than the timeout";
        if (step.Speculation is { On: true } speculation)
        {
            if (speculation.Quantile is not (> 0 and <= 1) || speculation.Multiple < 1)
                yield return $"step '{step.Name}' speculates once {speculation.Quantile} of its tasks are done, past {speculation.Multiple}x the median; the share must be above 0 and at most 1, the multiple at least 1";
            if (step.On is { Mode: Target.All })
                yield return $"step '{step.Name}' runs one task on each matching worker, so a copy of a straggler has no other worker to run on; leave speculation off";
            if (step.MaxConcurrency is not null)
                yield return $"step '{step.Name}' has a concurrency limit, which a copy of a straggler would break; leave speculation off";
        }
        if (step.On is { Wait: var wait } && wait < TimeSpan.Zero)
            yield return $"step '{step.Name}' cannot wait a negative time for workers";
        foreach (var local in step.Sources.Where(s => s.Kind == SourceKind.Local))
            if (LocalInput.Problem(local.Name, local.Pattern ?? "") is { } problem)
                yield return $"step '{step.Name}': {problem}";
    }

    /// <summary>Each cycle once, as a path of step names that returns to its start.</summary>
    private static IEnumerable<IReadOnlyList<string>> Cycles(ProcessGraph graph)
    {
        var byName = graph.Steps.GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.First());
        var state = new Dictionary<string, bool>(); // false: on the current path, true: done
        var path = new Stack<string>();
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string name)
        {
            state[name] = false;
            path.Push(name);
            foreach (var next in byName[name].DependsOn.Where(byName.ContainsKey))
            {
                if (!state.TryGetValue(next, out var done)) Visit(next);
                else if (!done)
                {
                    var cycle = path.TakeWhile(n => n != next).Reverse().Prepend(next).Append(next).ToList();
                    cycles.Add(cycle);
                }
            }
            path.Pop();
            state[name] = true;
        }

        foreach (var name in byName.Keys.Where(n => !state.ContainsKey(n)))
            Visit(name);
        return cycles;
    }
}

/// <summary>Thrown when a graph is built with problems; the message lists every one.</summary>
public sealed class InvalidGraphException(string graph, IReadOnlyList<string> problems)
    : Exception($"Graph {graph} is invalid:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => " - " + p))}")
{
    /// <summary>The graph, as <c>'name' vN</c>.</summary>
    public string Graph { get; } = graph;

    public IReadOnlyList<string> Problems { get; } = problems;
}
