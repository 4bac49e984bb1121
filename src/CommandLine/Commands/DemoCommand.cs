using System.CommandLine;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.CommandLine.Demo;
using Orchestration.Processes;
using Spectre.Console;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>orch demo</c>: generates the retail data set if absent and runs "revenue by country and brand" on it.</summary>
public static class DemoCommand
{
    public static Command Create(OrchestrationSetup setup)
    {
        var output = new Option<string>("--out") { Description = "Where to write the result CSV", DefaultValueFactory = _ => "revenue-by-country-brand.csv" };
        var command = new Command("demo", "Generate a sample retail data set (50 stores, ~3M sales rows) and run the graph 'revenue-by-country-brand' over it")
        {
            CommonOptions.Workers, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = Path.GetFullPath(parse.GetValue(CommonOptions.Data)!);
            var dataset = Path.Combine(data, "demo-input");
            AnsiConsole.MarkupLine($"[grey]data set:[/] {Markup.Escape(dataset)}");
            RetailDemo.EnsureDataset(dataset);

            await using var engine = await Engines.OpenAsync(parse, setup, cancellationToken);
            var datasets = new Dictionary<string, IReadOnlyList<Contracts.BlobRef>>();
            foreach (var (name, files) in RetailDemo.DatasetFiles(dataset))
                datasets[name] = await Inputs.UploadAsync(engine.Blobs, files, cancellationToken);
            var id = Inputs.ProcessIdFor("demo", RetailDemo.Graph.ToString(), datasets.Values.SelectMany(b => b), []);
            var start = new StartProcess(id, RetailDemo.Graph, datasets, new Dictionary<string, string>());
            return await ProcessRunner.RunAsync(engine, start, parse.GetValue(output)!, cancellationToken);
        });
        return command;
    }
}
