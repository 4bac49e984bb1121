using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Configuration;
using Orchestration.Retention;

namespace Orchestration.Hosting.Retention;

/// <summary>
/// The orchestrator's prune on a schedule (<see cref="RetentionSettings"/>): every interval, the processes that ended
/// longer ago than the configured age (but the newest of each graph it keeps) are pruned as <c>orch prune</c> would, and
/// what was removed is logged and recorded in the retention stream. A failed prune is logged and tried at the next interval.
/// A duty of the deployment (<see cref="DeploymentDuty"/>): it runs on the orchestrator that owns shard 0.
/// </summary>
public sealed class ScheduledPrune(Pruner pruner, RetentionSettings settings, TimeProvider clock, ILogger<ScheduledPrune> logger)
{
    /// <summary>Prunes every interval until <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var reason = $"scheduled prune (every {settings.Every}{(settings.Age is null ? "" : $", ended more than {settings.EndedBefore} ago")}{(settings.KeepLast is { } keep ? $", keeping the newest {keep} of each graph" : "")})";
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(settings.Interval, clock, stoppingToken);
            try
            {
                var request = new PruneRequest([], clock.GetUtcNow() - settings.Age, settings.KeepLast, settings.Outputs, reason);
                var report = await pruner.PruneAsync(request, stoppingToken);
                if (report.Pruned.Count > 0) logger.LogInformation("Retention: {Report}", report);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(error, "Retention: the scheduled prune failed ({Message}); it runs again in {Every}", error.Message, settings.Every);
            }
        }
    }
}
