using FluentAssertions;
using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.Postgres;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>
/// The lease that makes one orchestrator the deployment's only writer: a second waits while the first leads, takes
/// over when it goes, and a leader cut off from the database keeps the lead only if nobody else led meanwhile.
/// </summary>
public sealed class Leader_lease : IAsyncLifetime
{
    private static readonly TimeSpan Check = TimeSpan.FromMilliseconds(100);
    private readonly TestSchema _schema = new();
    private PostgresStores _stores = null!;

    public async Task InitializeAsync() =>
        _stores = await PostgresStores.OpenAsync(new DistributedSettings { Postgres = Services.Postgres, Schema = _schema.Name, QueuePrefix = "lease-" });

    public async Task DisposeAsync()
    {
        await _stores.DisposeAsync();
        await _schema.DisposeAsync();
    }

    [Fact]
    public async Task A_second_orchestrator_stands_by_naming_the_leader_and_leads_once_the_leader_goes()
    {
        await using var first = _stores.Lease("first");
        await first.AcquireAsync(Check, _ => { }, CancellationToken.None);
        await using var second = _stores.Lease("second");
        var told = new TaskCompletionSource<string>();

        var waiting = second.AcquireAsync(Check, leader => told.TrySetResult(leader), CancellationToken.None);

        (await told.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().StartWith("first, leading since ");
        waiting.IsCompleted.Should().BeFalse("only one leads at a time");
        await first.DisposeAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        (second.Epoch, first.Epoch).Should().Be((2L, 1L), "each new leader counts the epoch up");
    }

    [Fact]
    public async Task A_leader_whose_session_is_cut_retakes_the_lead_when_nobody_else_took_it()
    {
        await using var leader = _stores.Lease("leader");
        await leader.AcquireAsync(Check, _ => { }, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var holding = leader.HoldAsync(Check, stop.Token);
        var cut = await LeaderSessionAsync();

        await _schema.ScalarAsync<bool>($"SELECT pg_terminate_backend({cut})");

        await Eventually.True(async () => await LeaderSessionAsync() is { } session && session != cut, TimeSpan.FromSeconds(20), "the leader to lock again on a new session");
        holding.IsCompleted.Should().BeFalse("nobody else led: the lead is kept");
        await stop.CancelAsync();
        await holding.Invoking(h => h).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_leader_cut_off_while_another_took_the_lead_learns_it_lost_and_who_leads()
    {
        await using var leader = _stores.Lease("leader");
        await leader.AcquireAsync(Check, _ => { }, CancellationToken.None);
        await using var standby = _stores.Lease("standby");
        // Slower checks for the leader, so that the standby takes the lock while the leader is still cut off.
        var holding = leader.HoldAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
        var taking = standby.AcquireAsync(Check, _ => { }, CancellationToken.None);

        await _schema.ScalarAsync<bool>($"SELECT pg_terminate_backend({await LeaderSessionAsync()})");
        await taking.WaitAsync(TimeSpan.FromSeconds(20));

        (await holding.WaitAsync(TimeSpan.FromSeconds(30))).Should().StartWith("another orchestrator (standby, leading since").And.EndWith("led while this one was cut off from the database");
    }

    /// <summary>The backend holding this schema's leader lock, if any.</summary>
    private async Task<int?> LeaderSessionAsync() =>
        await _schema.ScalarAsync<object?>($"""
            SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('orchestration.leader:{_schema.Name}', 0)
            """) is int pid ? pid : null;
}
