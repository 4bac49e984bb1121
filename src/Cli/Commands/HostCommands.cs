using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Orchestration.Adapters.Hosting;

namespace Orchestration.Cli.Commands;

/// <summary><c>orch orchestrator</c> and <c>orch worker</c>: the processes of the distributed deployment.</summary>
public static class HostCommands
{
    public static Command Orchestrator()
    {
        var command = new Command("orchestrator", "Run the orchestrator of the distributed deployment (PostgreSQL, RabbitMQ) until stopped");
        command.SetAction(async (_, cancellationToken) =>
        {
            using var host = await DistributedHosts.OrchestratorAsync(Engines.Settings, cancellationToken);
            await GracefulExit.HoldUntilDone(host.RunAsync(cancellationToken), TimeSpan.FromSeconds(35));
            return 0;
        });
        return command;
    }

    public static Command Worker()
    {
        var name = new Option<string>("--name") { Description = "The worker's name, as describe shows it", DefaultValueFactory = _ => $"{Environment.MachineName}-{Environment.ProcessId}" };
        var slots = new Option<int>("--slots") { Description = "Tasks this worker runs at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var prefetch = new Option<int>("--prefetch") { Description = "Tasks fetched ahead from the queue (at least --slots)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var scratch = new Option<string?>("--scratch") { Description = "Scratch directory for task inputs and outputs (default: a temporary folder)" };
        var grace = new Option<int>("--grace-seconds") { Description = "On SIGTERM, how long running tasks may finish before they are handed back", DefaultValueFactory = _ => 30 };
        var command = new Command("worker", "Run a worker of the distributed deployment (RabbitMQ, Azure Blob storage) until stopped") { name, slots, prefetch, scratch, grace };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var workerName = parse.GetValue(name)!;
            if (parse.GetValue(slots) is < 1 or > 256) throw CliError.BadArguments("--slots must be between 1 and 256.");
            var options = new WorkerOptions(workerName, parse.GetValue(slots), parse.GetValue(prefetch),
                parse.GetValue(scratch) ?? Path.Combine(Path.GetTempPath(), $"orch-worker-{workerName}"), TimeSpan.FromSeconds(parse.GetValue(grace)));
            using var host = DistributedHosts.Worker(Engines.Settings, options);
            // Running tasks get their grace, and MassTransit its stop margin (EngineServices.GracefulStop), before the process ends.
            await GracefulExit.HoldUntilDone(host.RunAsync(cancellationToken), options.ShutdownGrace + TimeSpan.FromSeconds(25));
            return 0;
        });
        return command;
    }
}
