using System.CommandLine;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.CommandLine.Demo;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// <c>orch run &lt;graph&gt;</c> runs a registered graph over named data sets and waits for its result;
/// <c>orch submit &lt;graph&gt;</c> only starts it (for a distributed deployment, whose orchestrator carries it on).
/// </summary>
public static class RunCommand
{
    public static Command Create(OrchestrationSetup setup) => Create(setup, "run", "Run a registered graph and write its result", wait: true);

    public static Command Submit(OrchestrationSetup setup) => Create(setup, "submit", "Start a registered graph and return at once with its process id (follow it with status, describe)", wait: false);

    private static Command Create(OrchestrationSetup setup, string name, string description, bool wait)
    {
        var catalog = setup.Graphs;
        var graphName = new Argument<string>("graph") { Description = $"The graph to run: {string.Join(", ", catalog.All.Select(g => g.Name).Distinct())}" };
        var dataset = new Option<string[]>("--dataset") { Description = "A data set the graph reads: name=<glob> (repeatable). The demo graph defaults to the demo data set" };
        var param = new Option<string[]>("--param") { Description = "A parameter every task sees: key=value (repeatable)" };
        var version = new Option<int?>("--version") { Description = "The graph version (default: the latest)" };
        var output = new Option<string?>("--out") { Description = "Where to write the result CSV (default: <graph>.csv)" };
        var command = new Command(name, description) { graphName, dataset, param, version, CommonOptions.Priority, CommonOptions.Workers, CommonOptions.AllowLocal };
        if (wait) command.Options.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            ProcessGraph graph;
            try { graph = catalog.Get(parse.GetValue(graphName)!, parse.GetValue(version)); }
            catch (KeyNotFoundException unknown) { throw CliError.BadArguments(unknown.Message); }
            var parameters = CommonOptions.Pairs("--param", parse.GetValue(param));
            var priority = CommonOptions.CheckedPriority(parse);
            var data = Path.GetFullPath(parse.GetValue(CommonOptions.Data)!);
            var files = DatasetFiles(graph, CommonOptions.Pairs("--dataset", parse.GetValue(dataset)), data);

            await using var engine = await Engines.OpenAsync(parse, setup, cancellationToken);
            var datasets = new Dictionary<string, IReadOnlyList<BlobRef>>();
            foreach (var (name, paths) in files)
                datasets[name] = await Inputs.UploadAsync(engine.Blobs, paths, cancellationToken);
            var id = Inputs.ProcessIdFor("run", System.Text.Json.JsonSerializer.Serialize(graph), datasets.Values.SelectMany(b => b), parameters);
            var start = new StartProcess(id, graph, datasets, parameters, priority);
            if (wait) return await ProcessRunner.RunAsync(engine, start, parse.GetValue(output) ?? $"{graph.Name}.csv", cancellationToken);
            var (state, _) = await ProcessRunner.StartAsync(engine, start);
            Console.WriteLine($"{id} {state.Status.ToString().ToLowerInvariant()}");
            return 0;
        });
        return command;
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> DatasetFiles(ProcessGraph graph, IReadOnlyDictionary<string, string> globs, string data)
    {
        if (globs.Count == 0 && graph.Name == RetailDemo.Graph.Name)
        {
            var demo = Path.Combine(data, "demo-input");
            RetailDemo.EnsureDataset(demo);
            return RetailDemo.DatasetFiles(demo);
        }
        var files = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (name, glob) in globs)
        {
            var matched = Inputs.Expand(glob);
            files[name] = matched.Count > 0 ? matched : throw CliError.BadArguments($"--dataset {name}='{glob}' matches no file.");
        }
        return files;
    }
}
