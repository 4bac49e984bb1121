using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Postgres;

namespace Orchestration.Hosting;

/// <summary>
/// Makes this orchestrator the deployment's only writer before anything of it starts: a second orchestrator (a standby)
/// waits here, consuming nothing, until the leader stops or dies, then takes over. Its runtime can then trust the
/// aggregates it keeps in memory (a dropped command costs no read of the store). A leader that finds, after a database
/// outage, that another led meanwhile stops the host (<see cref="LostBecause"/>): restarted, it reads the store afresh.
/// </summary>
public sealed class Leadership(PostgresStores stores, IHostApplicationLifetime lifetime, ILogger<Leadership> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stopped = new();
    private LeaderLease? _lease;
    private Task _holding = Task.CompletedTask;

    /// <summary>Why the lead was lost while the host ran (it then stopped); null if it was not.</summary>
    public string? LostBecause { get; private set; }

    /// <summary>Runs before every hosted service's start (the bus, the follower): they start only once this process leads.</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        _lease = stores.Lease($"{Environment.MachineName} pid {Environment.ProcessId}");
        string? told = null;
        await _lease.AcquireAsync(Check, leader =>
        {
            if (leader == told) return;
            logger.LogWarning("Standing by: another orchestrator leads this deployment ({Leader}); this one takes over when it stops", leader);
            told = leader;
        }, cancellationToken);
        logger.LogInformation("Leading the deployment as {Holder} (leader epoch {Epoch})", _lease.Holder, _lease.Epoch);
        _holding = HoldAsync(_lease);
    }

    private async Task HoldAsync(LeaderLease lease)
    {
        try
        {
            LostBecause = await lease.HoldAsync(Check, _stopped.Token);
            logger.LogCritical("This orchestrator lost the lead: {Reason}. It stops, so that, restarted, it reads the store afresh", LostBecause);
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (_stopped.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs after every hosted service stopped: the last appends are made before a standby may take over.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stopped.CancelAsync();
        await _holding;
        if (_lease is not null) await _lease.DisposeAsync();
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    /// <inheritdoc/>
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    /// <inheritdoc/>
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
