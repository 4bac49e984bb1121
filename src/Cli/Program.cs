using Orchestration.CommandLine;
using Orchestration.CommandLine.Demo;
using Orchestration.DataProcessing.LogPipeline;
using Orchestration.Adapters.Configuration;
using Microsoft.Extensions.DependencyInjection;

// `orch`: the engine's command line, a thin program on the command-line library like any user's own.
return await OrchestrationCommandLine.RunAsync(args, o => o
    .AddGraph(RetailDemo.Graph).AddGraph(LocalSales.Graph).AddGraph(SecurityLogs.Graph)
    .AddStep(sp => new SecurityLogsStep(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<FaultInjection>().BeforeLocalDelete())),
    root => root.Subcommands.Add(Orchestration.CommandLine.Commands.LogsCommand.Create()));
