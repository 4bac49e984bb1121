using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.Adapters.Messaging;

/// <summary>Who a worker says it is in its status beats: its id, labels and slots.</summary>
/// <param name="Steps">The C# steps it has (<c>name@version</c>), announced so that only tasks it can run reach it.</param>
public sealed record WorkerIdentity(WorkerId Id, IReadOnlyDictionary<string, string> Labels, int Slots, IReadOnlyList<string>? Steps = null);

/// <summary>
/// A worker's announcements to its orchestrator: a <see cref="WorkerStatus"/> every <see cref="WorkerStatus.Interval"/>,
/// and one saying it is stopping as soon as the host begins to stop (before its running tasks get their grace).
/// Beats are sent to <paramref name="beats"/> (the orchestrator's queue, or the deployment's own beats exchange that every
/// orchestrator binds a queue to) rather than published, so deployments sharing a broker (queue prefixes) never see
/// each other's workers; they are transient and expire unread after a few intervals, so a
/// stopped orchestrator does not find a backlog of stale beats.
/// </summary>
public sealed class WorkerBeat(WorkerIdentity identity, RunningTasks running, ISendEndpointProvider endpoints, Uri beats,
    TimeProvider clock, ILogger<WorkerBeat> logger) : BackgroundService, IHostedLifecycleService
{
    private readonly CancellationTokenSource _beating = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _beating.Token);
        using var timer = new PeriodicTimer(WorkerStatus.Interval, clock);
        try
        {
            do
            {
                await BeatAsync(stop.Token);
            } while (await timer.WaitForNextTickAsync(stop.Token));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopping: the last word is the stopping announcement
        }
    }

    /// <summary>Runs before any hosted service stops: the beats end first, so none arrives after the announcement.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _beating.CancelAsync();
        if (ExecuteTask is { } beats) await beats.WaitAsync(cancellationToken);
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(3));
            await SendAsync(stopping: true, bounded.Token);
        }
        catch (Exception error)
        {
            logger.LogDebug(error, "Worker stopping announcement not sent; the registry drops the worker when its beats stop");
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(stopping: false, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // A broker outage: the next beat tries again, and the registry counts the worker alive once one lands.
            logger.LogDebug(error, "Worker status beat not sent");
        }
    }

    private async Task SendAsync(bool stopping, CancellationToken cancellationToken)
    {
        var status = new WorkerStatus(identity.Id, identity.Labels, identity.Slots, running.Snapshot(), clock.GetUtcNow(), stopping, identity.Steps);
        var endpoint = await endpoints.GetSendEndpoint(beats);
        await endpoint.Send(status, context =>
        {
            context.Durable = false;
            context.TimeToLive = 3 * WorkerStatus.Interval;
        }, cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose()
    {
        _beating.Dispose();
        base.Dispose();
    }
}
