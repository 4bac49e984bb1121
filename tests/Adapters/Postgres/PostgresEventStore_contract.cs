using FluentAssertions;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

public sealed class PostgresEventStore_contract : EventStoreContract
{
    private readonly TestSchema _schema = new();
    private readonly List<PostgresEventStore> _others = [];

    protected override async Task<IEventStore> CreateAsync() => await PostgresEventStore.OpenAsync(_schema.Source, _schema.Name);

    protected override async Task<IEventStore> ReopenAsync(IEventStore store)
    {
        ((IDisposable)store).Dispose();
        return await PostgresEventStore.OpenAsync(_schema.Source, _schema.Name);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _others.ForEach(store => store.Dispose());
        await _schema.DisposeAsync();
    }

    /// <summary>The same schema opened by another process: its own connections, its own listener.</summary>
    private async Task<PostgresEventStore> AnotherProcessAsync()
    {
        var store = await PostgresEventStore.OpenAsync(_schema.NewSource(), _schema.Name);
        _others.Add(store);
        return store;
    }

    private static StreamAppend[] NewStreams(int count, string prefix) =>
        Enumerable.Range(0, count).Select(i => new StreamAppend($"{prefix}-{i}", 0, TestEvents.Started($"{prefix}-{i}", tasks: 1))).ToArray();

    [Fact]
    public async Task Several_processes_creating_the_schema_at_once_all_start_and_share_it()
    {
        await using var fresh = new TestSchema();

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresEventStore.OpenAsync(fresh.NewSource(), fresh.Name)));
        await stores[0].AppendAsync([new StreamAppend("p-shared", 0, TestEvents.Started("p-shared"))]);

        foreach (var store in stores) (await store.HeadAsync()).Should().Be(4);
        foreach (var store in stores) store.Dispose();
    }

    [Fact]
    public async Task A_follower_wakes_when_another_process_appends()
    {
        var writer = await AnotherProcessAsync();
        var head = await Store.HeadAsync();
        await Store.WaitForEventsAsync(head, TimeSpan.Zero); // starts listening

        var waiting = Store.WaitForEventsAsync(head, TimeSpan.FromSeconds(60));
        await writer.AppendAsync([new StreamAppend("p-elsewhere", 0, TestEvents.Started("p-elsewhere"))]);

        (await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10)))).Should().Be(waiting, "a NOTIFY from the other process must wake the follower");
        (await Store.ReadAllAsync(head, 10)).Should().HaveCount(4);
    }

    [Fact]
    public async Task A_group_commit_of_100_streams_is_written_in_one_transaction()
    {
        var last = await Store.AppendAsync(NewStreams(100, "p-group"));

        last.Should().Be(300);
        (await Store.ReadAllAsync(0, 1000)).Select(e => e.Position).Should().Equal(Enumerable.Range(1, 300).Select(i => (long)i));
        (await _schema.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM {schema}.mt_events")).Should().Be(1);
    }

    [Fact]
    public async Task A_group_commit_of_100_streams_writes_nothing_when_one_conflicts_and_burns_no_position()
    {
        await Store.AppendAsync([new StreamAppend("p-group-57", 0, TestEvents.Started("p-group-57", tasks: 1))]);

        var append = () => Store.AppendAsync(NewStreams(100, "p-group"));

        (await append.Should().ThrowAsync<ConcurrencyException>()).Which.Stream.Should().Be("p-group-57");
        (await Store.StreamsAsync()).Should().Equal(new StreamInfo("p-group-57", 3));
        (await Store.AppendAsync([new StreamAppend("p-next", 0, [TestEvents.Confirmed("p-next", 0)])])).Should().Be(4);
    }

    [Fact]
    public async Task A_follower_reading_while_processes_race_to_append_sees_every_position_once_in_order()
    {
        var writers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => AnotherProcessAsync()));
        var appending = Task.WhenAll(writers.Select((writer, w) => Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
                await writer.AppendAsync([new StreamAppend($"p-race-{w}-{i}", 0, [TestEvents.Confirmed($"p-race-{w}-{i}", 0)])]);
        })));

        var seen = new List<long>();
        await Eventually.True(async () =>
        {
            var last = seen.Count > 0 ? seen[^1] : 0;
            seen.AddRange((await Store.ReadAllAsync(last, 7)).Select(e => e.Position));
            return appending.IsCompleted && seen.Count == 90;
        }, TimeSpan.FromSeconds(60), "a follower to read all 90 events");

        await appending;
        seen.Should().Equal(Enumerable.Range(1, 90).Select(i => (long)i));
    }

    [Fact]
    public async Task A_writer_reading_behind_itself_still_sees_the_positions_another_writer_took_in_between()
    {
        var other = await AnotherProcessAsync();
        await Store.AppendAsync([new StreamAppend("p-mine-1", 0, [TestEvents.Confirmed("p-mine-1", 0)])]);
        await other.AppendAsync([new StreamAppend("p-theirs", 0, [TestEvents.Confirmed("p-theirs", 0)])]);
        await Store.AppendAsync([new StreamAppend("p-mine-2", 0, [TestEvents.Confirmed("p-mine-2", 0)])]);

        var seen = new List<StoredEvent>();
        while (seen.Count < 3) seen.AddRange(await Store.ReadAllAsync(seen.Count, 10));

        seen.Select(e => (e.Position, e.Stream)).Should().Equal((1L, "p-mine-1"), (2L, "p-theirs"), (3L, "p-mine-2"));
        seen[0].RecordedAt.Should().Be((await other.ReadAllAsync(0, 1))[0].RecordedAt, "what the writer remembers is what was stored");
    }

    [Fact]
    public async Task Events_are_stored_as_json_with_their_wire_type_like_martens()
    {
        await Store.AppendAsync([new StreamAppend("p-json", 0, TestEvents.Started("p-json"))]);

        (await _schema.ScalarAsync<string>("SELECT type FROM {schema}.mt_events WHERE seq_id = 1")).Should().Be("process-started.v1");
        (await _schema.ScalarAsync<string>("SELECT mt_dotnet_type FROM {schema}.mt_events WHERE seq_id = 1"))
            .Should().Be($"{typeof(ProcessStarted).FullName}, {typeof(ProcessStarted).Assembly.GetName().Name}");
        (await _schema.ScalarAsync<string>("SELECT jsonb_typeof(data) FROM {schema}.mt_events WHERE seq_id = 1")).Should().Be("object");
        (await _schema.ScalarAsync<long>("SELECT version FROM {schema}.mt_streams WHERE id = 'p-json'")).Should().Be(4);
    }
}
