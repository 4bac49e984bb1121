using FluentAssertions;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Orchestration.Processes;
using Npgsql;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>What a PostgreSQL event store must do beyond the contract: several processes on one schema, and followers that never skip a late commit.</summary>
public abstract class PostgresEventStoreFacts : EventStoreContract
{
    private protected readonly TestSchema _schema = new();
    private readonly List<IEventStore> _others = [];

    /// <summary>Opens the adapter under test on <paramref name="source"/>'s database, in <paramref name="schema"/>.</summary>
    protected abstract Task<IEventStore> OpenAsync(NpgsqlDataSource source, string schema);

    protected override Task<IEventStore> CreateAsync() => OpenAsync(_schema.Source, _schema.Name);

    protected override async Task<IEventStore> ReopenAsync(IEventStore store)
    {
        ((IDisposable)store).Dispose();
        return await OpenAsync(_schema.Source, _schema.Name);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _others.ForEach(store => ((IDisposable)store).Dispose());
        await _schema.DisposeAsync();
    }

    /// <summary>The same schema opened by another process: its own connections, its own listener.</summary>
    private protected async Task<IEventStore> AnotherProcessAsync()
    {
        var store = await OpenAsync(_schema.NewSource(), _schema.Name);
        _others.Add(store);
        return store;
    }

    /// <summary>Every event, read as a follower reads: in pages, each after the last position it got, until one comes back empty.</summary>
    private protected async Task<List<StoredEvent>> ReadAllAsAFollowerAsync()
    {
        var read = new List<StoredEvent>();
        for (var page = await Store.ReadAllAsync(0, 1000); page.Count > 0; page = await Store.ReadAllAsync(read[^1].Position, 1000))
            read.AddRange(page);
        return read;
    }

    private protected static StreamAppend[] NewStreams(int count, string prefix) =>
        Enumerable.Range(0, count).Select(i => new StreamAppend($"{prefix}-{i}", 0, TestEvents.Started($"{prefix}-{i}", tasks: 1))).ToArray();

    [Fact]
    public async Task Several_processes_creating_the_schema_at_once_all_start_and_share_it()
    {
        await using var fresh = new TestSchema();

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync(fresh.NewSource(), fresh.Name)));
        await stores[0].AppendAsync([new StreamAppend("p-shared", 0, TestEvents.Started("p-shared"))]);

        foreach (var store in stores) (await store.HeadAsync()).Should().Be(4);
        foreach (var store in stores) ((IDisposable)store).Dispose();
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
    public async Task A_group_commit_of_100_streams_writes_nothing_when_one_conflicts()
    {
        await Store.AppendAsync([new StreamAppend("p-group-57", 0, TestEvents.Started("p-group-57", tasks: 1))]);

        var append = () => Store.AppendAsync(NewStreams(100, "p-group"));

        (await append.Should().ThrowAsync<ConcurrencyException>()).Which.Stream.Should().Be("p-group-57");
        (await Store.StreamsAsync()).Should().Equal(new StreamInfo("p-group-57", 3));
        var next = await Store.AppendAsync([new StreamAppend("p-next", 0, [TestEvents.Confirmed("p-next", 0)])]);
        (await ReadAllAsAFollowerAsync()).Select(e => (e.Position, e.Stream)).Should().Equal((1L, "p-group-57"), (2L, "p-group-57"), (3L, "p-group-57"), (next, "p-next"));
    }

    [Fact]
    public async Task A_follower_never_skips_an_append_that_commits_after_a_later_one_began()
    {
        // A slow append: to a stream whose row the test holds locked, so it stalls inside its transaction after its
        // events are numbered (the stream's version is updated last). A fast append to another stream then races it.
        await Store.AppendAsync([new StreamAppend("p-slow", 0, [TestEvents.Confirmed("p-slow", 0)])]);
        var head = await Store.HeadAsync();
        await using var blocker = await _schema.Source.OpenConnectionAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM \"{_schema.Name}\".mt_streams WHERE id = 'p-slow' FOR UPDATE", blocker))
            await lockRow.ExecuteNonQueryAsync();

        var slow = (await AnotherProcessAsync()).AppendAsync([new StreamAppend("p-slow", 1, [TestEvents.Confirmed("p-slow", 1)])]);
        await Eventually.True(async () => await _schema.ScalarAsync<long>(
                $"SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.query LIKE '%{_schema.Name}%'") > 0,
            TimeSpan.FromSeconds(30), "the slow append to wait on the row lock");
        var fast = (await AnotherProcessAsync()).AppendAsync([new StreamAppend("p-fast", 0, [TestEvents.Confirmed("p-fast", 0)])]);

        // A store that let the fast append commit first would do so now; a follower would read it and move past the slow one's number.
        await Task.WhenAny(fast, Task.Delay(TimeSpan.FromSeconds(3)));
        var seen = (await Store.ReadAllAsync(head, 10)).ToList();
        await hold.RollbackAsync();
        await Task.WhenAll(slow, fast);
        await Eventually.True(async () =>
        {
            seen.AddRange(await Store.ReadAllAsync(seen.Count > 0 ? seen[^1].Position : head, 10));
            return seen.Count >= 2;
        }, TimeSpan.FromSeconds(30), "the follower to read both appends");

        seen.Select(e => e.Stream).Should().Equal(["p-slow", "p-fast"], "the follower, reading after its last position, saw the slow append too");
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

    [Fact]
    public async Task PostgreSQL_puts_a_stream_in_the_same_shard_as_the_engine_does()
    {
        var streams = Enumerable.Range(0, 500).Select(i => $"process-{i}-{Guid.NewGuid():N}").Append("process-abc").ToArray();
        foreach (var count in new[] { 2, 7, 256 })
        {
            await using var command = _schema.Source.CreateCommand($"SELECT {Shard.SqlOf("s", count)} FROM unnest($1::text[]) WITH ORDINALITY AS u(s, n) ORDER BY n");
            command.Parameters.Add(new NpgsqlParameter { Value = streams });
            var inSql = new List<long>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) inSql.Add(reader.GetInt64(0));
            inSql.Should().Equal(streams.Select(s => (long)Shard.IndexOf(s, count)), $"both sides hash alike with {count} shards");
        }
        Shard.IndexOf("process-abc", 7).Should().Be(5, "the function is fixed: md5's first four bytes, big-endian, modulo the count");
    }
}
