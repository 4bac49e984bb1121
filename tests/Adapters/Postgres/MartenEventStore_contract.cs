using FluentAssertions;
using Npgsql;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Orchestration.Schedules;
using Orchestration.Processes;
using Orchestration.Contracts;
using Orchestration.Runtime;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>Marten's event store (the distributed deployment's): the contract, the PostgreSQL facts, and what Marten changes.</summary>
public sealed class MartenEventStore_contract : PostgresEventStoreFacts
{
    protected override async Task<IEventStore> OpenAsync(NpgsqlDataSource source, string schema) => await MartenEventStore.OpenAsync(source, schema);

    [Fact]
    public async Task Events_are_in_martens_own_tables_and_read_back_by_marten()
    {
        await Store.AppendAsync([new StreamAppend("p-own", 0, TestEvents.Started("p-own"))]);

        (await _schema.ScalarAsync<long>("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + _schema.Name + "' AND c.relname = 'mt_events_sequence'"))
            .Should().Be(1, "positions come from Marten's sequence");
        using var marten = Marten.DocumentStore.For(o => { o.Connection(Services.Postgres); o.DatabaseSchemaName = _schema.Name; o.Events.StreamIdentity = JasperFx.Events.StreamIdentity.AsString; });
        await using var session = marten.QuerySession();
        (await session.Events.FetchStreamStateAsync("p-own"))!.Version.Should().Be(4, "Marten itself sees the stream");
    }

    [Fact]
    public async Task A_failed_group_commit_leaves_no_event_a_follower_would_read()
    {
        await Store.AppendAsync([new StreamAppend("p-group-3", 0, TestEvents.Started("p-group-3", tasks: 1))]);
        var failed = () => Store.AppendAsync(NewStreams(10, "p-group"));
        await failed.Should().ThrowAsync<ConcurrencyException>();

        var next = await Store.AppendAsync([new StreamAppend("p-after", 0, [TestEvents.Confirmed("p-after", 0)])]);

        // Marten burns the failed append's numbers and later writes tombstones under them: a follower skips both.
        (await ReadAllAsAFollowerAsync()).Select(e => (e.Position, e.Stream)).Should().Equal((1L, "p-group-3"), (2L, "p-group-3"), (3L, "p-group-3"), (next, "p-after"));
        (await Store.StreamsAsync()).Select(s => s.Stream).Should().BeEquivalentTo("p-group-3", "p-after");
    }

    [Fact]
    public async Task A_schema_holding_version_0_1_0s_tables_is_refused_and_left_as_it_was()
    {
        await using var old = new TestSchema();
        await old.ScalarAsync<int>("""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.mt_streams (id text PRIMARY KEY, type text, version bigint NOT NULL, timestamp timestamptz NOT NULL DEFAULT now(),
                snapshot jsonb, snapshot_version integer, created timestamptz NOT NULL DEFAULT now(), tenant_id text NOT NULL DEFAULT '*DEFAULT*',
                is_archived boolean NOT NULL DEFAULT false);
            CREATE TABLE {schema}.mt_events (seq_id bigint PRIMARY KEY, id uuid NOT NULL, stream_id text NOT NULL REFERENCES {schema}.mt_streams (id),
                version bigint NOT NULL, data jsonb NOT NULL, type text NOT NULL, timestamp timestamptz NOT NULL DEFAULT now(),
                tenant_id text NOT NULL DEFAULT '*DEFAULT*', mt_dotnet_type text, is_archived boolean NOT NULL DEFAULT false);
            INSERT INTO {schema}.mt_streams (id, version) VALUES ('query-old', 1);
            INSERT INTO {schema}.mt_events (seq_id, id, stream_id, version, data, type) VALUES (1, gen_random_uuid(), 'query-old', 1, '{}', 'process-started.v1');
            SELECT 1;
            """);

        var open = () => MartenEventStore.OpenAsync(old.Source, old.Name);

        (await open.Should().ThrowAsync<IncompatibleStoreException>()).Which.Message.Should().Be(
            $"The PostgreSQL schema '{old.Name}' holds the events of version 0.1.0's hand-written store, which this version no longer reads. " +
            "Let 0.1.0 finish its processes, then point Orchestration__Schema at a new schema; nothing was changed.");
        (await old.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events")).Should().Be(1);
        (await old.ScalarAsync<long>($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{old.Name}' AND table_name = 'mt_events' AND column_name = 'bdata'"))
            .Should().Be(0, "Marten did not alter the tables");
    }

    [Fact]
    public async Task The_process_list_is_projected_with_the_events_and_paged_newest_first()
    {
        var store = (MartenEventStore)Store;
        var at = DateTimeOffset.Parse("2026-11-30T08:00:00Z");
        for (var i = 0; i < 5; i++)
        {
            var id = ProcessId.From($"listed-{i}");
            var started = (ProcessStarted)TestEvents.Started(id.Value, tasks: 2)[0];
            await Store.AppendAsync([new StreamAppend(ProcessStreams.StreamOf(id), 0, [started with { At = at.AddMinutes(i) }])]);
        }
        await Store.AppendAsync([new StreamAppend(ScheduleDecider.StreamOf("nightly"), 0,
            [new ScheduleFired(ProcessId.From("listed-0"), "nightly", at, 0, at)])]);

        var first = await store.Processes.PageAsync(1, 2);
        var last = await store.Processes.PageAsync(3, 2);

        first.Total.Should().Be(5, "one document per process stream, none for the schedule's");
        first.Pages.Should().Be(3);
        first.Processes.Select(p => p.Id).Should().Equal("listed-4", "listed-3");
        last.Processes.Select(p => p.Id).Should().Equal("listed-0");
        first.Processes[0].Should().Be(ProcessProgress.Fold(null, TestEvents.Started("listed-4", tasks: 2)[0])! with { StartedAt = at.AddMinutes(4) });
        (await _schema.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_doc_processprogress")).Should().Be(5, "the documents are Marten's own");
    }
}
