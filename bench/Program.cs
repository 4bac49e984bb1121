using System.Diagnostics;
using Orchestration.Bench;
using Orchestration.CommandLine;

// Benchmarks print the engine's figure beside the raw limit measured in the same run.
// Run in Release: dotnet run -c Release --project bench -- <scenario>
var scenarios = new Dictionary<string, Func<string[], Task<int>>>
{
    ["aggregate"] = _ => Task.FromResult(AggregateBench.Run()),
    ["embedded"] = EmbeddedBench.RunAsync,
    ["demo"] = _ => DemoBench.RunAsync(),
    ["distributed"] = DistributedBench.RunAsync,
    ["views"] = ViewsBench.RunAsync,
    ["restart"] = RestartBench.RunAsync,
    ["shuffle"] = ShuffleBench.RunAsync,
    ["control"] = ControlBench.RunAsync,
    ["memo"] = MemoBench.RunAsync,
    ["retention"] = RetentionBench.RunAsync,
    ["latency"] = LatencyBench.RunAsync,
    ["query"] = QueryBench.RunAsync,
    ["million"] = MillionBench.RunAsync,
    // The distributed scenario's orchestrator and workers: this program on the command-line library, as a user's would be.
    ["host"] = a => OrchestrationCommandLine.RunAsync(a[1..]),
};
// The event log's figures in one run: engine on Marten beside raw RabbitMQ, appends, replay, the process list, a restart.
string[][] eventLog = [["distributed"], ["views"], ["restart"]];
// Every figure of the README's Benchmarks section, one scenario after another with its defaults (about an hour here).
string[][] all =
[
    ["aggregate"], ["embedded"], ["demo"], ["distributed"], ["views"], ["restart"], ["shuffle", "--distributed"], ["control"],
    ["memo"], ["retention"], ["latency", "--distributed"], ["query"], ["million"], ["million", "--distributed"],
];

async Task<int> InTurn(string[][] runs)
{
    foreach (var run in runs)
    {
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"== bench -- {string.Join(' ', run)}");
        if (await scenarios[run[0]](run) != 0) return 1;
        Console.WriteLine($"== {run[0]}: {clock.Elapsed.TotalMinutes:0.0} min");
    }
    return 0;
}

scenarios["event-log"] = _ => InTurn(eventLog);
scenarios["all"] = _ => InTurn(all);

if (args.Length < 1 || !scenarios.TryGetValue(args[0], out var scenario))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project bench -- <{string.Join("|", scenarios.Keys)}>");
    return 2;
}
return await scenario(args);
