using FluentAssertions;
using Npgsql;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>The hand-written store (Orchestration__EventStore=npgsql): positions without gaps, as it numbers events itself.</summary>
public sealed class PostgresEventStore_contract : PostgresEventStoreFacts
{
    protected override async Task<IEventStore> OpenAsync(NpgsqlDataSource source, string schema) => await PostgresEventStore.OpenAsync(source, schema);

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
    public async Task A_schema_holding_martens_store_is_refused_and_left_as_it_was()
    {
        await using var marten = new TestSchema();
        using (var store = await MartenEventStore.OpenAsync(marten.Source, marten.Name))
            await store.AppendAsync([new StreamAppend("p-marten", 0, TestEvents.Started("p-marten"))]);

        var open = () => PostgresEventStore.OpenAsync(marten.Source, marten.Name);

        (await open.Should().ThrowAsync<IncompatibleStoreException>()).Which.Message.Should()
            .Be($"The PostgreSQL schema '{marten.Name}' holds Marten's event store, not the hand-written one. Set Orchestration__EventStore=marten (the default) to use it, or pick another Orchestration__Schema.");
        (await marten.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events")).Should().Be(4);
    }
}
