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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }
}
