using Orchestration.Schedules;

namespace Orchestration.Graphs;

/// <summary>
/// The graphs a deployment knows, by name and version, and the schedules that run them. A process records the whole
/// graph it started with, so removing or changing a version here never changes a running process.
/// </summary>
public sealed class GraphCatalog
{
    private readonly Dictionary<string, SortedDictionary<int, ProcessGraph>> _graphs = new(StringComparer.Ordinal);
    private readonly List<ScheduleDefinition> _schedules = [];

    public GraphCatalog Add(ProcessGraph graph)
    {
        var versions = _graphs.TryGetValue(graph.Name, out var found) ? found : _graphs[graph.Name] = [];
        if (!versions.TryAdd(graph.Version, graph))
            throw new InvalidOperationException($"Graph {graph} is registered twice; give the new definition a new version.");
        return this;
    }

    /// <summary>
    /// Runs a registered graph on a schedule. Refused when the definition is invalid, the name is taken, the graph is
    /// unknown, or the graph reads datasets (a scheduled process is given none).
    /// </summary>
    public GraphCatalog Add(ScheduleDefinition schedule)
    {
        var problems = schedule.Problems().ToList();
        if (_schedules.Any(s => s.Name == schedule.Name)) problems.Add($"schedule name '{schedule.Name}' is used twice");
        if (!_graphs.TryGetValue(schedule.Graph, out var versions))
            problems.Add($"schedule '{schedule.Name}' runs unknown graph '{schedule.Graph}'");
        else if (versions.Values.Last().Steps.SelectMany(s => s.Sources).FirstOrDefault(s => s.Kind == SourceKind.Dataset) is { } dataset)
            problems.Add($"schedule '{schedule.Name}' runs graph '{schedule.Graph}', which reads {dataset}; a scheduled process is given no datasets");
        if (problems.Count > 0) throw new InvalidOperationException(string.Join("; ", problems));
        _schedules.Add(schedule);
        return this;
    }

    public IReadOnlyList<ScheduleDefinition> Schedules => _schedules;

    public IEnumerable<ProcessGraph> All => _graphs.Values.SelectMany(v => v.Values);

    /// <summary>The named graph at <paramref name="version"/>, or its latest version when none is given.</summary>
    public ProcessGraph Get(string name, int? version = null)
    {
        if (!_graphs.TryGetValue(name, out var versions))
            throw new KeyNotFoundException($"Unknown graph '{name}'. Known graphs: {Known()}.");
        if (version is null) return versions.Values.Last();
        return versions.TryGetValue(version.Value, out var graph)
            ? graph
            : throw new KeyNotFoundException($"Graph '{name}' has no version {version}. Known versions: {string.Join(", ", versions.Keys)}.");
    }

    private string Known() => _graphs.Count == 0 ? "(none)" : string.Join(", ", All.Select(g => g.ToString()));
}
