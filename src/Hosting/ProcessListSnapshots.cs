using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Runtime;

namespace Orchestration.Hosting;

/// <summary>
/// Saves the embedded engine's process list beside its log every few seconds and when the engine stops, so that a new
/// <c>orch status</c> reads the saved list and folds only the log written since.
/// </summary>
public sealed class ProcessListSnapshots(FoldedProcessList list, ILogger<ProcessListSnapshots> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await SaveAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await SaveAsync(cancellationToken);
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try { await list.SaveAsync(cancellationToken); }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // A list not saved costs the next reader a fold of the whole log, nothing more.
            logger.LogWarning(error, "Could not save the process list; the next orch status folds the whole log");
        }
    }
}
