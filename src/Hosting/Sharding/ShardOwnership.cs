using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Messaging;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Hosting.Sharding;

/// <summary>
/// Shares the deployment's shards out among its running orchestrators and runs what each owned shard needs: its log
/// follower (dispatch, timeouts, placement), its queue's consumer, and, for shard 0, the deployment's duties (the
/// scheduler, the scheduled prune). Every second it counts the live orchestrators and aims at an even share: it takes
/// free shards up to its share (a dead orchestrator's shards are free as soon as PostgreSQL sees its session gone) and
/// hands the excess on, one at a time, when another joins. A shard is taken with its aggregates let go of, and handed on
/// only after its consumer and follower stopped and its last appends were made, so the runtime can trust the aggregates
/// it keeps. An orchestrator that finds, after a database outage, that another owned one of its shards meanwhile stops
/// the host (<see cref="LostBecause"/>): restarted, it reads the store afresh.
/// </summary>
public sealed class ShardOwnership(PostgresStores stores, ShardRouting routing, LogFollowers followers, IEnumerable<DeploymentDuty> duties,
    ProcessRuntime runtime, IReceiveEndpointConnector endpoints, Action<IReceiveEndpointConfigurator, IRegistrationContext> configureEndpoint,
    IHostApplicationLifetime lifetime, ILogger<ShardOwnership> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stopped = new();
    private readonly Dictionary<int, OwnedShard> _owned = [];
    private readonly int _offset = Environment.ProcessId; // where this one starts looking for a free shard, so that two starting together rarely race
    private ShardLeases? _leases;
    private Task _owning = Task.CompletedTask;

    /// <summary>Why a shard was lost while the host ran (it then stopped); null if none was.</summary>
    public string? LostBecause { get; private set; }

    /// <summary>Joins the deployment before anything starts: an orchestrator set to another shard count than the running ones is refused here.</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        _leases = stores.Leases($"{Environment.MachineName} pid {Environment.ProcessId}", routing.Count);
        await _leases.JoinAsync(cancellationToken);
    }

    /// <summary>Once the bus runs (a shard's queue is connected to it), starts taking shards.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _owning = OwnAsync(_leases!, _stopped.Token);
        return Task.CompletedTask;
    }

    /// <summary>Before the bus stops: each owned shard's consumer and follower stop, so its last appends are made before another takes it.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopped.CancelAsync();
        await _owning;
        foreach (var shard in _owned.Keys.ToList()) await HandOnAsync(shard, release: false);
    }

    /// <summary>After every hosted service stopped: the leases go with the session, and the others take the shards.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_leases is not null) await _leases.DisposeAsync();
    }

    private async Task OwnAsync(ShardLeases leases, CancellationToken cancellationToken)
    {
        var standingBy = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await leases.CheckAsync(Check, cancellationToken) is { } lost)
                {
                    LostBecause = lost;
                    logger.LogCritical("This orchestrator lost a shard: {Reason}. It stops, so that, restarted, it reads the store afresh", lost);
                    lifetime.StopApplication();
                    return;
                }
                var share = (int)Math.Ceiling(routing.Count / (double)Math.Max(1, await leases.MembersAsync(cancellationToken)));
                for (var i = 0; i < routing.Count && _owned.Count < share; i++)
                {
                    var shard = (i + _offset) % routing.Count;
                    if (!_owned.ContainsKey(shard) && await leases.TryTakeAsync(shard, cancellationToken)) await TakeOnAsync(shard, leases.Held[shard]);
                }
                if (_owned.Count > share) await HandOnAsync(_owned.Keys.Max(), release: true);
                if (_owned.Count == 0 && !standingBy)
                    logger.LogWarning("Standing by: other orchestrators own every shard of this deployment ({Owner} owns shard 0); this one takes shards when one stops",
                        await leases.OwnerOfAsync(0, cancellationToken));
                standingBy = _owned.Count == 0;
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Sharing out shards failed ({Message}); trying again", error.Message);
            }
            catch (OperationCanceledException)
            {
                return; // stopping caught a lease call midway: the shards are handed on by StoppingAsync, not left to fault the host's stop
            }
            try { await Task.Delay(Check, cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task TakeOnAsync(int index, long epoch)
    {
        var shard = new Shard(index, routing.Count);
        // Whatever this orchestrator kept of the shard's processes may be behind what its last owner wrote.
        await runtime.ForgetAsync(shard.Holds);
        var endpoint = endpoints.ConnectReceiveEndpoint(routing.QueueOf(index), (context, configurator) => configureEndpoint(configurator, context));
        await endpoint.Ready;
        routing.Own(index);
        var stop = new CancellationTokenSource();
        var loops = new List<Task> { FollowerService.RunRestartingAsync($"log follower of {shard}", followers.Of(shard).RunAsync, logger, stop.Token) };
        if (index == 0) loops.AddRange(duties.Select(duty => FollowerService.RunRestartingAsync(duty.Name, duty.Run, logger, stop.Token)));
        _owned[index] = new OwnedShard(endpoint, stop, loops);
        logger.LogInformation("Owning {Shard} (epoch {Epoch}); this orchestrator owns {Owned}", shard, epoch, string.Join(", ", _owned.Keys.Order()));
    }

    private async Task HandOnAsync(int index, bool release)
    {
        var shard = new Shard(index, routing.Count);
        var owned = _owned[index];
        routing.Disown(index); // commands for it go to its queue from now on
        await owned.Endpoint.StopAsync(CancellationToken.None); // waits for the results being decided
        await owned.Stop.CancelAsync();
        await Task.WhenAll(owned.Loops); // the follower saves its checkpoint as it stops
        await runtime.ForgetAsync(shard.Holds); // after every command queued for it is decided and stored
        _owned.Remove(index);
        owned.Stop.Dispose();
        if (!release) return;
        await _leases!.ReleaseAsync(index, CancellationToken.None);
        logger.LogInformation("Handed {Shard} on to even out the shards; this orchestrator owns {Owned}", shard, string.Join(", ", _owned.Keys.Order()));
    }

    private sealed record OwnedShard(HostReceiveEndpointHandle Endpoint, CancellationTokenSource Stop, List<Task> Loops);

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
