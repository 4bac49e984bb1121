namespace Orchestration.Graphs;

/// <summary>
/// The graphs a deployment knows, by name and version. A process records the whole graph it started with,
/// so removing or changing a version here never changes a running process.
/// </summary>
public sealed class GraphCatalog
{
    private readonly Dictionary<string, SortedDictionary<int, ProcessGraph>> _graphs = new(StringComparer.Ordinal);

    public GraphCatalog Add(ProcessGraph graph)
    {
        var versions = _graphs.TryGetValue(graph.Name, out var found) ? found : _graphs[graph.Name] = [];
        if (!versions.TryAdd(graph.Version, graph))
            throw new InvalidOperationException($"Graph {graph} is registered twice; give the new definition a new version.");
        return this;
    }

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
