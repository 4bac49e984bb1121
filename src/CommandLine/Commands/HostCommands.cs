using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Operations.Telemetry;
using Orchestration.Operations.Dashboard;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>orch orchestrator</c> and <c>orch worker</c>: the processes of the distributed deployment.</summary>
public static class HostCommands
{
    public static Command Orchestrator(OrchestrationSetup setup)
    {
        var dashboardUrls = new Option<string?>("--dashboard-urls")
        {
            Description = $"Where to serve the dashboard and its JSON API, or 'off' (default: Orchestration__Dashboard__Urls or {DashboardSettings.DefaultUrls})",
        };
        var command = new Command("orchestrator", "Run the orchestrator of the distributed deployment (PostgreSQL, RabbitMQ) until stopped") { dashboardUrls };
        var health = new HealthCommand.EndpointOptions();
        health.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var endpoint = health.Endpoint(parse);
            var dashboard = Dashboards.Settings(parse.GetValue(dashboardUrls));
            using var host = await DistributedHosts.OrchestratorAsync(Engines.Settings, cancellationToken, services =>
            {
                services.AddOrchestratorOperations(Engines.Settings, HealthCommand.Telemetry, endpoint);
                services.AddDashboard(dashboard, Engines.Settings);
            }, Engines.WithSchedules(setup).Graphs);
            var ownership = host.Services.GetRequiredService<Hosting.Sharding.ShardOwnership>(); // before the run, which disposes the host's services
            await GracefulExit.HoldUntilDone(host.RunAsync(cancellationToken), TimeSpan.FromSeconds(35));
            if (ownership.LostBecause is { } lost)
                throw new CliError($"The orchestrator stopped: it lost a shard, {lost}. Start it again; it takes its share of the shards afresh from the store.", 3);
            return 0;
        });
        return command;
    }

    public static Command Worker(OrchestrationSetup setup)
    {
        var name = new Option<string>("--name") { Description = "The worker's name, as describe shows it", DefaultValueFactory = _ => $"{Environment.MachineName}-{Environment.ProcessId}" };
        var slots = new Option<int>("--slots") { Description = "Tasks this worker runs at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var prefetch = new Option<int>("--prefetch") { Description = "Tasks fetched ahead from the queue (at least --slots)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var scratch = new Option<string?>("--scratch") { Description = "Scratch directory for task inputs and outputs (default: a temporary folder)" };
        var grace = new Option<int>("--grace-seconds") { Description = "On SIGTERM, how long running tasks may finish before they are handed back", DefaultValueFactory = _ => 30 };
        var labels = new Option<string[]>("--label") { Description = "A label the worker announces, key=value (repeatable: --label region=EU --label store=paris-1)" };
        var command = new Command("worker", "Run a worker of the distributed deployment (RabbitMQ, Azure Blob storage) until stopped")
        {
            name, slots, prefetch, scratch, grace, labels, CommonOptions.AllowLocal,
        };
        var health = new HealthCommand.EndpointOptions();
        health.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var endpoint = health.Endpoint(parse);
            var workerName = parse.GetValue(name)!;
            if (parse.GetValue(slots) is < 1 or > 256) throw CliError.BadArguments("--slots must be between 1 and 256.");
            var options = new WorkerOptions(workerName, parse.GetValue(slots), parse.GetValue(prefetch),
                // Per process, not per name: a worker left over from an earlier run under the same name must not share task folders.
                parse.GetValue(scratch) ?? Path.Combine(Path.GetTempPath(), $"orch-worker-{workerName}-{Environment.ProcessId}"), TimeSpan.FromSeconds(parse.GetValue(grace)),
                WorkerLabels.Parse(parse.GetValue(labels)), CommonOptions.CheckedLocalRoots(parse, Engines.Settings.Local));
            using var host = DistributedHosts.Worker(Engines.Settings, options, setup,
                addServices: services => services.AddWorkerOperations(Engines.Settings, HealthCommand.Telemetry, endpoint));
            // Running tasks get their grace, and MassTransit its stop margin (EngineServices.GracefulStop), before the process ends.
            await GracefulExit.HoldUntilDone(host.RunAsync(cancellationToken), options.ShutdownGrace + TimeSpan.FromSeconds(25));
            if (parse.GetValue(scratch) is null && Directory.Exists(options.ScratchDirectory))
                Directory.Delete(options.ScratchDirectory, recursive: true); // the temporary folder was this process's alone
            return 0;
        });
        return command;
    }
}
