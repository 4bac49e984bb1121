using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestration.Hosting;

/// <summary>
/// Runs a follower of the event store (the dispatcher, the timeout manager) for the host's lifetime,
/// restarting it after a failure (e.g. the store was briefly unreachable) rather than leaving the engine half-dead.
/// </summary>
public sealed class FollowerService(string name, Func<CancellationToken, Task> run, ILogger<FollowerService> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRestartingAsync(name, run, logger, stoppingToken);

    /// <summary>Runs <paramref name="run"/> until <paramref name="stoppingToken"/> is cancelled, again after each failure, backing off up to 10 s.</summary>
    public static async Task RunRestartingAsync(string name, Func<CancellationToken, Task> run, ILogger logger, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await run(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogError(error, "{Follower} failed; restarting in {Backoff}", name, backoff);
                try { await Task.Delay(backoff, stoppingToken); }
                catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }
}

/// <summary>
/// Work one orchestrator of a deployment does for all of it, such as firing schedules: the embedded engine runs it for
/// its lifetime, a distributed deployment on whichever orchestrator owns shard 0.
/// </summary>
public sealed record DeploymentDuty(string Name, Func<CancellationToken, Task> Run);

/// <summary>Runs every <see cref="DeploymentDuty"/> for the host's lifetime (an orchestrator that is not sharded).</summary>
public sealed class DutiesService(IEnumerable<DeploymentDuty> duties, ILogger<FollowerService> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(duties.Select(duty => FollowerService.RunRestartingAsync(duty.Name, duty.Run, logger, stoppingToken)));
}
