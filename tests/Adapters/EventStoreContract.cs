using System.Text.Json;
using FluentAssertions;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Storage;
using Xunit;

namespace Orchestration.Tests.Adapters;

/// <summary>
/// What every event store adapter must do. A concrete class per adapter supplies the store; the same
/// facts run against each (files on disk, PostgreSQL).
/// </summary>
public abstract class EventStoreContract : IAsyncLifetime
{
    protected IEventStore Store { get; set; } = null!;

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IEventStore> CreateAsync();

    /// <summary>The same store as a new process would open it (after a restart).</summary>
    protected abstract Task<IEventStore> ReopenAsync(IEventStore store);

    public async Task InitializeAsync() => Store = await CreateAsync();

    public virtual Task DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    private static string NewStream() => $"p-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_stream_reads_back_its_events_in_order_with_versions_from_one()
    {
        var stream = NewStream();
        var events = TestEvents.Started(stream);

        await Store.AppendAsync([new StreamAppend(stream, 0, events)]);
        var read = await Store.ReadStreamAsync(stream).ToListAsync();

        read.Select(e => e.Version).Should().Equal(1, 2, 3, 4);
        Json(read.Select(e => e.Event)).Should().Equal(Json(events));
    }

    [Fact]
    public async Task Reading_a_stream_after_a_version_skips_the_earlier_events()
    {
        var stream = NewStream();
        await Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream))]);

        var read = await Store.ReadStreamAsync(stream, afterVersion: 2).ToListAsync();

        read.Select(e => e.Version).Should().Equal(3, 4);
    }

    [Fact]
    public async Task Appending_at_a_stale_version_fails_with_a_concurrency_error_and_writes_nothing()
    {
        var (stream, other) = (NewStream(), NewStream());
        await Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream))]);
        var head = await Store.HeadAsync();

        var append = () => Store.AppendAsync([
            new StreamAppend(other, 0, TestEvents.Started(other)),
            new StreamAppend(stream, 2, [TestEvents.Confirmed(stream, 0)]),
        ]);

        (await append.Should().ThrowAsync<ConcurrencyException>())
            .Which.Message.Should().Contain($"Stream '{stream}' is at version 4, not 2");
        (await Store.HeadAsync()).Should().Be(head);
        (await Store.ReadStreamAsync(other).ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Creating_a_stream_that_exists_fails_with_a_concurrency_error()
    {
        var stream = NewStream();
        await Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream))]);

        var create = () => Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream))]);

        await create.Should().ThrowAsync<ConcurrencyException>();
    }

    [Fact]
    public async Task A_group_commit_of_several_streams_takes_consecutive_global_positions()
    {
        var (a, b) = (NewStream(), NewStream());
        var before = await Store.HeadAsync();

        var last = await Store.AppendAsync([new StreamAppend(a, 0, TestEvents.Started(a)), new StreamAppend(b, 0, TestEvents.Started(b, tasks: 1))]);
        var all = await Store.ReadAllAsync(before, 100);

        last.Should().Be(before + 7);
        all.Select(e => e.Position).Should().Equal(Enumerable.Range(1, 7).Select(i => before + i));
        all.Select(e => e.Stream).Should().Equal(a, a, a, a, b, b, b);
    }

    [Fact]
    public async Task Reading_all_from_a_position_returns_at_most_the_asked_number_in_order()
    {
        var stream = NewStream();
        var before = await Store.HeadAsync();
        await Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream, tasks: 5))]);

        var page = await Store.ReadAllAsync(before + 2, 3);

        page.Select(e => (e.Position, e.Version)).Should().Equal((before + 3, 3L), (before + 4, 4L), (before + 5, 5L));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_shard_reads_only_its_streams_events_in_order_and_reads_through_the_others(bool afterRestart)
    {
        var before = await Store.HeadAsync();
        var streams = Enumerable.Range(0, 12).Select(_ => NewStream()).ToList();
        foreach (var stream in streams) await Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream))]);
        var head = await Store.HeadAsync();
        if (afterRestart) Store = await ReopenAsync(Store); // read from where the events are kept, not from what this instance wrote

        foreach (var index in Enumerable.Range(0, 3))
        {
            var shard = new Shard(index, 3);
            var read = new List<StoredEvent>();
            var position = before;
            LogPage page;
            do
            {
                page = await Store.ReadShardAsync(position, 5, shard);
                page.Through.Should().BeGreaterThanOrEqualTo(position);
                read.AddRange(page.Events);
                position = page.Through;
            } while (page.More);

            position.Should().Be(head, $"{shard} reads through the events of the other shards");
            read.Select(e => e.Stream).Distinct().Should().Equal(streams.Where(s => Shard.IndexOf(s, 3) == index));
            read.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            read.Should().HaveCount(4 * streams.Count(s => Shard.IndexOf(s, 3) == index));
        }
    }

    [Fact]
    public async Task Events_survive_a_restart()
    {
        var stream = NewStream();
        var events = TestEvents.Started(stream);
        await Store.AppendAsync([new StreamAppend(stream, 0, events)]);
        var head = await Store.HeadAsync();

        Store = await ReopenAsync(Store);

        (await Store.HeadAsync()).Should().Be(head);
        Json((await Store.ReadStreamAsync(stream).ToListAsync()).Select(e => e.Event)).Should().Equal(Json(events));
        (await Store.StreamsAsync()).Should().ContainEquivalentOf(new StreamInfo(stream, 4));
        await Store.AppendAsync([new StreamAppend(stream, 4, [TestEvents.Confirmed(stream, 0)])]);
    }

    [Fact]
    public async Task Deleting_streams_removes_their_events_and_leaves_the_others_at_their_positions()
    {
        var (kept, gone, after) = (NewStream(), NewStream(), NewStream());
        var before = await Store.HeadAsync();
        await Store.AppendAsync([new StreamAppend(kept, 0, TestEvents.Started(kept, tasks: 1))]);
        await Store.AppendAsync([new StreamAppend(gone, 0, TestEvents.Started(gone))]);
        await Store.AppendAsync([new StreamAppend(after, 0, TestEvents.Started(after, tasks: 1))]);
        var keptEvents = await Store.ReadAllAsync(before, 100);

        var removed = await Store.DeleteStreamsAsync([gone, NewStream()]);

        removed.Should().Be(4);
        (await Store.ReadStreamAsync(gone).ToListAsync()).Should().BeEmpty();
        (await Store.StreamsAsync()).Select(s => s.Stream).Should().NotContain(gone).And.Contain([kept, after]);
        var all = await Store.ReadAllAsync(before, 100);
        all.Select(e => (e.Position, e.Stream)).Should().Equal(keptEvents.Where(e => e.Stream != gone).Select(e => (e.Position, e.Stream)),
            "the other streams keep their positions, so followers' checkpoints stay valid");
        (await Store.ReadAllAsync(all[2].Position, 2)).Select(e => e.Position).Should().Equal(all[3].Position, all[4].Position);
        (await Store.ReadStreamAsync(after).ToListAsync()).Select(e => e.Version).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task A_deleted_stream_may_start_again_and_the_deletion_survives_a_restart()
    {
        var (gone, kept) = (NewStream(), NewStream());
        await Store.AppendAsync([new StreamAppend(gone, 0, TestEvents.Started(gone)), new StreamAppend(kept, 0, TestEvents.Started(kept))]);
        await Store.DeleteStreamsAsync([gone]);

        await Store.AppendAsync([new StreamAppend(gone, 0, TestEvents.Started(gone, tasks: 1))]);
        var head = await Store.HeadAsync();
        Store = await ReopenAsync(Store);

        (await Store.HeadAsync()).Should().Be(head);
        (await Store.ReadStreamAsync(gone).ToListAsync()).Select(e => e.Version).Should().Equal(1, 2, 3);
        (await Store.ReadStreamAsync(kept).ToListAsync()).Should().HaveCount(4);
        await Store.AppendAsync([new StreamAppend(kept, 4, [TestEvents.Confirmed(kept, 0)])]);
    }

    [Fact]
    public async Task Once_the_last_events_are_deleted_new_events_are_still_numbered_above_them_after_a_restart()
    {
        var (kept, gone) = (NewStream(), NewStream());
        await Store.AppendAsync([new StreamAppend(kept, 0, TestEvents.Started(kept))]);
        var last = await Store.AppendAsync([new StreamAppend(gone, 0, TestEvents.Started(gone))]);
        await Store.DeleteStreamsAsync([gone]);

        Store = await ReopenAsync(Store);
        var next = await Store.AppendAsync([new StreamAppend(kept, 4, [TestEvents.Confirmed(kept, 0)])]);

        next.Should().BeGreaterThan(last, "a follower may have read up to the deleted events: their positions are never given again");
        (await Store.ReadAllAsync(last, 10)).Select(e => e.Position).Should().Equal(next);
    }

    [Fact]
    public async Task Of_two_writers_racing_on_one_stream_exactly_one_wins()
    {
        var stream = NewStream();
        await Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream))]);

        var racers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try { await Store.AppendAsync([new StreamAppend(stream, 4, [TestEvents.Confirmed(stream, i % 2)])]); return true; }
            catch (ConcurrencyException) { return false; }
        }));
        var outcomes = await Task.WhenAll(racers);

        outcomes.Count(won => won).Should().Be(1);
        (await Store.ReadStreamAsync(stream).ToListAsync()).Should().HaveCount(5);
    }

    [Fact]
    public async Task A_follower_waiting_for_events_wakes_when_one_is_appended()
    {
        var stream = NewStream();
        var head = await Store.HeadAsync();
        var waiting = Store.WaitForEventsAsync(head, TimeSpan.FromSeconds(30));

        await Store.AppendAsync([new StreamAppend(stream, 0, TestEvents.Started(stream))]);

        (await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10)))).Should().Be(waiting, "an append must wake a waiting follower");
        (await Store.ReadAllAsync(head, 10)).Should().HaveCount(4);
    }

    protected static IEnumerable<string> Json(IEnumerable<IProcessEvent> events) =>
        events.Select(e => $"{e.GetType().Name}:{JsonSerializer.Serialize(e, e.GetType(), EventSerializer.Options)}");
}
