using LogPipeline;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.Adapters.Configuration;
using Orchestration.CommandLine;

// The log pipeline sample, a program on the engine's packages: every orch command over its graph, its hourly schedule and
// its C# step, plus `logs generate`. See ../README.md.
//   LogPipeline__Cron          overrides the hourly schedule's cron (e.g. "*/10 * * * * *" for a drill)
//   LogPipeline__KillBeforeDelete=true   a worker kills itself between publishing a rotated log and deleting it (crash drill)
var settings = DistributedSettings.Load();
var hourly = settings["LogPipeline:Cron"] is { Length: > 0 } cron ? SecurityLogs.Hourly with { Cron = cron } : SecurityLogs.Hourly;
var killBeforeDelete = string.Equals(settings["LogPipeline:KillBeforeDelete"], "true", StringComparison.OrdinalIgnoreCase);
return await OrchestrationCommandLine.RunAsync(args,
    o => o.AddGraph(SecurityLogs.Graph).AddSchedule(hourly)
        .AddStep(sp => new SecurityLogsStep(sp.GetRequiredService<TimeProvider>(),
            killBeforeDelete ? _ => System.Diagnostics.Process.GetCurrentProcess().Kill() : null)),
    root => root.Subcommands.Add(LogsCommand.Create()));
