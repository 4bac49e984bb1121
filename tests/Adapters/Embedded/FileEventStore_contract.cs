using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.Embedded;

public sealed class FileEventStore_contract : EventStoreContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orch-tests", $"events-{Guid.NewGuid():N}");

    private string LogPath => Path.Combine(_directory, "events.log");

    protected override Task<IEventStore> CreateAsync() => Task.FromResult<IEventStore>(new FileEventStore(_directory));

    protected override Task<IEventStore> ReopenAsync(IEventStore store)
    {
        ((IDisposable)store).Dispose();
        return Task.FromResult<IEventStore>(new FileEventStore(_directory));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_torn_last_line_from_a_crash_is_cut_off_and_appending_goes_on()
    {
        await Store.AppendAsync([new StreamAppend("p-torn", 0, TestEvents.Started("p-torn"))]);
        ((IDisposable)Store).Dispose();
        await File.AppendAllTextAsync(LogPath, "{\"p\":5,\"s\":\"p-torn\",\"v\":5,\"t\":\"task-conf");

        var reopened = new FileEventStore(_directory);
        await reopened.AppendAsync([new StreamAppend("p-torn", 4, [TestEvents.Confirmed("p-torn", 0)])]);

        (await reopened.HeadAsync()).Should().Be(5);
        (await reopened.ReadStreamAsync("p-torn").ToListAsync()).Should().HaveCount(5);
        reopened.Dispose();
        new FileEventStore(_directory).Dispose(); // reads back cleanly
    }

    [Theory]
    [InlineData("not json at all\n")]
    [InlineData("{\"p\":3,\"s\":\"p-torn\",\"v\":5,\"t\":\"task-confirmed.v1\",\"at\":\"2026-03-01T12:00:00+00:00\",\"d\":{}}\n")]
    public async Task A_whole_last_line_that_is_unreadable_or_not_above_the_last_position_is_cut_off_too(string tail)
    {
        await Store.AppendAsync([new StreamAppend("p-torn", 0, TestEvents.Started("p-torn"))]);
        var length = new FileInfo(LogPath).Length;
        ((IDisposable)Store).Dispose();
        await File.AppendAllTextAsync(LogPath, tail);

        Store = new FileEventStore(_directory);

        new FileInfo(LogPath).Length.Should().Be(length);
        (await Store.AppendAsync([new StreamAppend("p-torn", 4, [TestEvents.Confirmed("p-torn", 0)])])).Should().Be(5);
        Store = await ReopenAsync(Store);
        (await Store.ReadAllAsync(0, 10)).Select(e => (e.Position, e.Version)).Should().Equal((1, 1), (2, 2), (3, 3), (4, 4), (5, 5));
    }

    [Fact]
    public async Task A_log_larger_than_the_scan_buffer_with_lines_longer_than_it_reopens_with_every_event_in_order()
    {
        // Thousands of tasks: a process-started line of hundreds of KiB, and thousands of lines, many crossing a buffer's end.
        var (a, b) = ("p-big-a", "p-big-b");
        var (eventsOfA, eventsOfB) = (TestEvents.Started(a, tasks: 5000), TestEvents.Started(b, tasks: 3000));
        await Store.AppendAsync([new StreamAppend(a, 0, eventsOfA)]);
        await Store.AppendAsync([new StreamAppend(b, 0, eventsOfB), new StreamAppend(a, eventsOfA.Length, [TestEvents.Confirmed(a, 0)])]);
        File.ReadLines(LogPath).Max(line => line.Length).Should().BeGreaterThan(1 << 18, "the scan buffer is 256 KiB");

        Store = await ReopenAsync(Store);

        var total = eventsOfA.Length + eventsOfB.Length + 1;
        (await Store.HeadAsync()).Should().Be(total);
        var all = await Store.ReadAllAsync(0, int.MaxValue);
        all.Select(e => e.Position).Should().Equal(Enumerable.Range(1, total).Select(p => (long)p));
        Json((await Store.ReadStreamAsync(a).ToListAsync()).Select(e => e.Event)).Should().Equal(Json([.. eventsOfA, TestEvents.Confirmed(a, 0)]));
        Json((await Store.ReadStreamAsync(b).ToListAsync()).Select(e => e.Event)).Should().Equal(Json(eventsOfB));
    }

    [Fact]
    public async Task Many_concurrent_durable_appenders_all_complete_with_gapless_positions_and_streams_in_order()
    {
        const int appenders = 32, appends = 50;
        var streams = Enumerable.Range(0, appenders).Select(i => $"p-concurrent-{i}").ToArray();

        await Task.WhenAll(streams.Select(stream => Task.Run(async () =>
        {
            for (var i = 0; i < appends; i++)
                await Store.AppendAsync([new StreamAppend(stream, i, [TestEvents.Confirmed(stream, i)])]);
        })));

        await ShouldHoldEveryAppend();
        Store = await ReopenAsync(Store);
        await ShouldHoldEveryAppend();

        async Task ShouldHoldEveryAppend()
        {
            (await Store.HeadAsync()).Should().Be(appenders * appends);
            (await Store.ReadAllAsync(0, int.MaxValue)).Select(e => e.Position).Should().Equal(Enumerable.Range(1, appenders * appends).Select(p => (long)p));
            foreach (var stream in streams)
                Json((await Store.ReadStreamAsync(stream).ToListAsync()).Select(e => e.Event))
                    .Should().Equal(Json(Enumerable.Range(0, appends).Select(i => TestEvents.Confirmed(stream, i))));
        }
    }

    [Fact]
    public async Task A_writer_that_loses_a_race_finds_the_winners_events_when_it_reads_the_stream_again()
    {
        const string stream = "p-race";
        var stale = 0;

        // Two writers chasing each other on one stream: the winner's append is often still flushing when the other's is refused.
        async Task Write(int partition)
        {
            for (var appended = 0; appended < 50;)
            {
                var version = (await Store.ReadStreamAsync(stream).ToListAsync()).Count;
                try
                {
                    await Store.AppendAsync([new StreamAppend(stream, version, [TestEvents.Confirmed(stream, partition)])]);
                    appended++;
                }
                catch (ConcurrencyException)
                {
                    if ((await Store.ReadStreamAsync(stream).ToListAsync()).Count == version) Interlocked.Increment(ref stale);
                }
            }
        }
        await Task.WhenAll(Task.Run(() => Write(0)), Task.Run(() => Write(1)));

        stale.Should().Be(0, "a refused append means the stream has moved on, and reading it again shows that");
        (await Store.ReadStreamAsync(stream).ToListAsync()).Select(e => e.Version).Should().Equal(Enumerable.Range(1, 100).Select(v => (long)v));
    }

    [Fact]
    public async Task Reads_go_through_the_file_the_store_opened_not_a_new_open_per_read()
    {
        var stream = "p-many";
        var events = TestEvents.Started(stream, tasks: 200);
        await Store.AppendAsync([new StreamAppend(stream, 0, events)]);
        Store = await ReopenAsync(Store); // nothing cached: every read goes to the file

        // Renaming an open file leaves its open handles working; a read that opened the log by its path would not find it.
        File.Move(LogPath, LogPath + ".moved");

        Json((await Store.ReadStreamAsync(stream).ToListAsync()).Select(e => e.Event)).Should().Equal(Json(events));
        (await Store.ReadAllAsync(0, 1000)).Should().HaveCount(events.Length);
    }

    [Fact]
    public void A_second_process_on_the_same_directory_gets_a_clear_error()
    {
        var open = () => new FileEventStore(_directory);

        open.Should().Throw<IOException>().WithMessage("*is in use by another process. Stop it, or use another data directory.");
    }
}
