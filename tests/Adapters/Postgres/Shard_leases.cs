using FluentAssertions;
using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>
/// The leases that make one orchestrator at a time the only writer of a shard's processes: a shard held by one is not
/// taken by another until the holder goes, live orchestrators count one another, an owner cut off from the database
/// keeps its shards only if nobody else owned one meanwhile, and every orchestrator of a deployment runs one shard count.
/// </summary>
public sealed class Shard_leases : IAsyncLifetime
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
    public async Task A_shard_held_by_one_orchestrator_is_taken_by_another_only_once_the_first_goes()
    {
        await using var first = await JoinedAsync("first", 2);
        (await first.TryTakeAsync(0, CancellationToken.None)).Should().BeTrue();
        await using var second = await JoinedAsync("second", 2);

        (await second.MembersAsync(CancellationToken.None)).Should().Be(2, "both orchestrators are connected");
        (await second.TryTakeAsync(0, CancellationToken.None)).Should().BeFalse("one owner at a time");
        (await second.TryTakeAsync(1, CancellationToken.None)).Should().BeTrue("a free shard is taken at once");
        (await second.OwnerOfAsync(0, CancellationToken.None)).Should().StartWith("first, owning it since ");
        await first.DisposeAsync();

        await Eventually.True(() => second.TryTakeAsync(0, CancellationToken.None), TimeSpan.FromSeconds(10), "the second to take the first's shard");
        second.Held.Should().Equal(new Dictionary<int, long> { [0] = 2, [1] = 1 }, "each new owner counts the shard's epoch up");
        (await second.MembersAsync(CancellationToken.None)).Should().Be(1);
    }

    [Fact]
    public async Task An_owner_that_hands_a_shard_back_lets_another_take_it_at_once()
    {
        await using var first = await JoinedAsync("first", 2);
        await first.TryTakeAsync(1, CancellationToken.None);
        await using var second = await JoinedAsync("second", 2);

        await first.ReleaseAsync(1, CancellationToken.None);

        (await second.TryTakeAsync(1, CancellationToken.None)).Should().BeTrue();
        first.Held.Should().BeEmpty();
    }

    [Fact]
    public async Task An_owner_whose_session_is_cut_retakes_its_shards_when_nobody_else_took_them()
    {
        await using var owner = await JoinedAsync("owner", 3);
        foreach (var shard in new[] { 0, 2 }) await owner.TryTakeAsync(shard, CancellationToken.None);
        var cut = await SessionOfAsync(0);

        await _schema.ScalarAsync<bool>($"SELECT pg_terminate_backend({cut})");

        (await owner.CheckAsync(Check, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30))).Should().BeNull("nobody else owned them: they are kept");
        (await SessionOfAsync(0)).Should().NotBeNull().And.NotBe(cut);
        (await SessionOfAsync(2)).Should().Be(await SessionOfAsync(0), "both retaken on the new session");
    }

    [Fact]
    public async Task An_owner_cut_off_while_another_took_its_shard_learns_it_lost_and_who_owns_it()
    {
        await using var owner = await JoinedAsync("owner", 2);
        await owner.TryTakeAsync(1, CancellationToken.None);
        await using var other = await JoinedAsync("other", 2);

        await _schema.ScalarAsync<bool>($"SELECT pg_terminate_backend({await SessionOfAsync(1)})");
        await Eventually.True(() => other.TryTakeAsync(1, CancellationToken.None), TimeSpan.FromSeconds(20), "the other to take the shard");

        (await owner.CheckAsync(Check, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)))
            .Should().StartWith("another orchestrator (other, owning it since").And.EndWith("owned shard 1 while this one was cut off from the database");
    }

    [Fact]
    public async Task An_orchestrator_set_to_another_shard_count_than_the_running_ones_is_refused_and_one_alone_may_change_it()
    {
        await using var running = await JoinedAsync("running", 4);
        await using var other = _stores.Leases("other", 2);

        (await other.Invoking(o => o.JoinAsync(CancellationToken.None)).Should().ThrowAsync<IncompatibleStoreException>())
            .Which.Message.Should().Contain("split its processes into 4 shards; this one is set to 2").And.Contain("Orchestration__Shards=4");
        await running.DisposeAsync();

        await using var alone = await JoinedAsync("alone", 2);
        alone.Count.Should().Be(2, "with no orchestrator running, the count may change");
    }

    private async Task<ShardLeases> JoinedAsync(string holder, int shards)
    {
        var leases = _stores.Leases(holder, shards);
        await leases.JoinAsync(CancellationToken.None);
        return leases;
    }

    /// <summary>The backend holding this schema's lock of <paramref name="shard"/>, if any.</summary>
    private async Task<int?> SessionOfAsync(int shard) =>
        await _schema.ScalarAsync<object?>($"""
            SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('orchestration.shard:{_schema.Name}:{shard}', 0)
            """) is int pid ? pid : null;
}
