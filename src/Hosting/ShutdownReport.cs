using Orchestration.Adapters.Configuration;
using Microsoft.Extensions.Hosting;

namespace Orchestration.Hosting;

/// <summary>On a clean stop, prints one line of what the process did (and the faults it injected) for operators and drills.</summary>
public sealed class ShutdownReport(Func<string> summary, FaultInjection faults) : IHostedService
{
    /// <summary>
    /// The CPU time this process used, and per task it confirmed: what one orchestrator costs, so that the capacity of
    /// N (sharded) orchestrators can be reckoned from the cores each has.
    /// </summary>
    public static string CpuPerTask(long tasks)
    {
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        return $"CPU {cpu.TotalSeconds:0.00} s" + (tasks > 0 ? $", {cpu.TotalMilliseconds / tasks:0.00} ms per task confirmed" : "");
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine(faults.Any ? $"{summary()}; {faults}" : summary());
        return Task.CompletedTask;
    }
}
