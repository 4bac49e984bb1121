using Orchestration.Bench;
using Orchestration.CommandLine;

// Benchmarks print the engine's figure beside the raw limit measured in the same run.
// Run in Release: dotnet run -c Release --project bench -- <scenario>
var scenarios = new Dictionary<string, Func<Task<int>>>
{
    ["aggregate"] = () => Task.FromResult(AggregateBench.Run()),
    ["embedded"] = () => EmbeddedBench.RunAsync(args),
    ["demo"] = DemoBench.RunAsync,
    ["distributed"] = () => DistributedBench.RunAsync(args),
    ["views"] = () => ViewsBench.RunAsync(args),
    ["restart"] = () => RestartBench.RunAsync(args),
    ["shuffle"] = () => ShuffleBench.RunAsync(args),
    ["control"] = () => ControlBench.RunAsync(args),
    ["memo"] = () => MemoBench.RunAsync(args),
    ["retention"] = () => RetentionBench.RunAsync(args),
    ["latency"] = () => LatencyBench.RunAsync(args),
    ["query"] = () => QueryBench.RunAsync(args),
    ["million"] = () => MillionBench.RunAsync(args),
    // The event log's figures in one run: engine on Marten beside raw RabbitMQ, appends, replay, the process list, a restart.
    ["event-log"] = async () =>
    {
        foreach (var part in new Func<string[], Task<int>>[] { DistributedBench.RunAsync, ViewsBench.RunAsync, RestartBench.RunAsync })
            if (await part([args[0]]) != 0) return 1;
        return 0;
    },
    // The distributed scenario's orchestrator and workers: this program on the command-line library, as a user's would be.
    ["host"] = () => OrchestrationCommandLine.RunAsync(args[1..]),
};

if (args.Length < 1 || !scenarios.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project bench -- <{string.Join("|", scenarios.Keys)}>");
    return 2;
}
return await run();
