using System.Text.Json.Serialization;

namespace Orchestration.Graphs;

/// <summary>
/// A processing graph: named, versioned steps and their dependencies. Define one with
/// <see cref="Define"/>; a built graph has been validated.
/// </summary>
public sealed record ProcessGraph(string Name, int Version, IReadOnlyList<StepDefinition> Steps)
{
    /// <summary>Starts the definition of a graph: <c>ProcessGraph.Define("revenue", 1).Map(...).Reduce(...).Build()</c>.</summary>
    public static GraphBuilder Define(string name, int version) => new(name, version);

    /// <summary>The step of that name; throws if the graph has none.</summary>
    public StepDefinition Step(string name) =>
        Steps.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"Graph {this} has no step '{name}'. Its steps: {string.Join(", ", Steps.Select(s => s.Name))}.");

    /// <summary>Steps no other step depends on: their outputs are the process's result.</summary>
    [JsonIgnore]
    public IEnumerable<StepDefinition> FinalSteps
    {
        get
        {
            var dependedOn = Steps.SelectMany(s => s.DependsOn).ToHashSet();
            return Steps.Where(s => !dependedOn.Contains(s.Name));
        }
    }

    /// <summary>Every problem of the graph, empty when it is valid.</summary>
    public IReadOnlyList<string> Problems() => GraphValidator.Problems(this);

    public override string ToString() => $"'{Name}' v{Version}";
}
