using Orchestration.Adapters.Configuration;
using Microsoft.Extensions.Hosting;

namespace Orchestration.Hosting;

/// <summary>On a clean stop, prints one line of what the process did (and the faults it injected) for operators and drills.</summary>
public sealed class ShutdownReport(Func<string> summary, FaultInjection faults) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine(faults.Any ? $"{summary()}; {faults}" : summary());
        return Task.CompletedTask;
    }
}
