using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Adapters.Messaging;
using Orchestration.Operations.Scaling;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// <c>orch scale</c>: the local autoscaler. Reads the task queue's depth, decides the worker count with
/// <see cref="ScalingPolicy"/> and starts or stops real <c>orch worker</c> processes on this machine to match.
/// The workers inherit this process's configuration (the <c>Orchestration__*</c> environment variables).
/// </summary>
public static class ScaleCommand
{
    public static Command Create()
    {
        var defaults = ScalingPolicy.Default;
        var min = new Option<int>("--min") { Description = "Fewest workers, even with an empty queue (0 allowed)", DefaultValueFactory = _ => defaults.Min };
        var max = new Option<int>("--max") { Description = "Most workers, however deep the queue", DefaultValueFactory = _ => defaults.Max };
        var perWorker = new Option<int>("--per-worker") { Description = "Ready tasks per worker: the pool is ceil(ready / this), within --min and --max", DefaultValueFactory = _ => defaults.PerWorker };
        var coolDown = new Option<int>("--cool-down-seconds") { Description = "Scale down only after every reading for this long asked for fewer workers", DefaultValueFactory = _ => (int)defaults.CoolDown.TotalSeconds };
        var interval = new Option<int>("--interval-ms") { Description = "How often the queue is read", DefaultValueFactory = _ => 2000 };
        var slots = new Option<int>("--slots") { Description = "Each worker's task slots (orch worker --slots)", DefaultValueFactory = _ => 1 };
        var prefetch = new Option<int?>("--prefetch") { Description = "Each worker's prefetch (orch worker --prefetch; default: --slots, so waiting tasks stay visible as ready)" };
        var grace = new Option<int>("--grace-seconds") { Description = "A stopped worker's time to finish its tasks before handing them back (orch worker --grace-seconds)", DefaultValueFactory = _ => 30 };
        var command = new Command("scale", "Run a pool of local workers sized from the task queue's depth, until stopped")
            { min, max, perWorker, coolDown, interval, slots, prefetch, grace };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var policy = new ScalingPolicy(parse.GetValue(min), parse.GetValue(max), parse.GetValue(perWorker), TimeSpan.FromSeconds(parse.GetValue(coolDown)));
            var problems = policy.Problems().ToList();
            if (parse.GetValue(interval) is < 100 or > 600_000) problems.Add($"--interval-ms must be between 100 and 600000, not {parse.GetValue(interval)}.");
            if (parse.GetValue(slots) is < 1 or > 256) problems.Add($"--slots must be between 1 and 256, not {parse.GetValue(slots)}.");
            var workerPrefetch = parse.GetValue(prefetch) ?? parse.GetValue(slots);
            if (workerPrefetch < parse.GetValue(slots)) problems.Add($"--prefetch ({workerPrefetch}) must be at least --slots ({parse.GetValue(slots)}).");
            if (parse.GetValue(grace) < 0) problems.Add($"--grace-seconds must be 0 or more, not {parse.GetValue(grace)}.");
            if (problems.Count > 0) throw CliError.BadArguments(string.Join(" ", problems));

            var settings = Engines.Settings.Require(nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs));
            var workerArgs = new[] { "--slots", $"{parse.GetValue(slots)}", "--prefetch", $"{workerPrefetch}", "--grace-seconds", $"{parse.GetValue(grace)}" };
            // A worker gets its grace plus MassTransit's own stop margin (EngineServices.GracefulStop) before it is killed.
            var stopTimeout = TimeSpan.FromSeconds(parse.GetValue(grace) + 25);
            using var management = new RabbitMqManagement(new Uri(settings.RabbitMq));
            // Every worker's scratch space under one directory, removed when the pool stops (names are never reused).
            var scratch = Directory.CreateTempSubdirectory("orch-scale-").FullName;
            var supervisor = new WorkerSupervisor(name => WorkerStartInfo(name, [.. workerArgs, "--scratch", Path.Combine(scratch, name)]),
                $"{Environment.MachineName}-{Environment.ProcessId}", stopTimeout, Console.WriteLine, TimeProvider.System);
            var autoscaler = new Autoscaler(policy, new QueueProbe(management, settings.TaskQueue), supervisor,
                TimeSpan.FromMilliseconds(parse.GetValue(interval)), TimeProvider.System, Console.WriteLine);
            async Task RunPool()
            {
                try { await autoscaler.RunAsync(cancellationToken); }
                finally { Directory.Delete(scratch, recursive: true); }
            }
            await GracefulExit.HoldUntilDone(RunPool(), stopTimeout + TimeSpan.FromSeconds(10));
            return 0;
        });
        return command;
    }

    /// <summary>This same command line, as <c>orch worker --name …</c>: the apphost itself, or <c>dotnet orch.dll</c>.</summary>
    private static ProcessStartInfo WorkerStartInfo(string name, IEnumerable<string> workerArgs)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable runs this command.");
        var info = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in (string[])["worker", "--name", name, .. workerArgs]) info.ArgumentList.Add(arg);
        return info;
    }
}
