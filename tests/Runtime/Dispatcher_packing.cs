using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>
/// Tasks share a message only once their step has shown they are short: a step's first attempts go one to a message,
/// a window of two per live slot until they are shown short or for at most a second, and the rest go packed (as many as run in 10 ms, leaving each
/// slot two messages); a step of long tasks is never packed.
/// </summary>
public sealed class Dispatcher_packing : IAsyncLifetime
{
    private const int Tasks = 400;
    private const int Slots = 4;
    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingQueue _queue = new(isDurable: true);
    private readonly CancellationTokenSource _stop = new();
    private readonly ProcessId _id = ProcessId.From("packed");
    private LogFollower _follower = null!;
    private Task _running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        var registry = new WorkerRegistry(_engine.Clock);
        registry.Record(new WorkerStatus(WorkerId.From("w"), new Dictionary<string, string>(), Slots, [], _engine.Clock.GetUtcNow(), Steps: ["noop@1"]));
        var dispatcher = new Dispatcher(_queue, _engine.Clock, _engine.Runtime.Counters, new DispatcherOptions(IdleWait: TimeSpan.FromMilliseconds(20)), registry);
        _follower = new LogFollower(_engine.Store, new FileCheckpointStore(_engine["checkpoints"]), [dispatcher], _engine.Clock, new FollowerOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        _running = _follower.RunAsync(_stop.Token);
        var graph = ProcessGraph.Define("packing-test", 1)
            .Map("short", DataSource.Dataset("in"), StepWork.Code("noop"))
            .Map("long", DataSource.Dataset("in"), StepWork.Code("noop"))
            .Build();
        await _engine.Runtime.SendAsync(new StartProcess(_id, graph,
            new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = Enumerable.Range(0, Tasks).Select(i => new BlobRef(new Uri($"blob://local/in/{i}"), "00", 1, 1)).ToArray() },
            new Dictionary<string, string>()));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ContinueWith(_ => { });
        await _engine.DisposeAsync();
    }

    private async Task<List<(IReadOnlyList<RunTask> Tasks, int MostPerMessage)>> SendsOnceSettledAsync(string step, int count)
    {
        var head = await _engine.Store.HeadAsync();
        await Eventually.True(() => _queue.Sent.Count(t => t.Step == step) >= count && _follower.Position >= head, TimeSpan.FromSeconds(20), $"{count} task(s) of {step} sent, all events read");
        return _queue.Sends.Where(s => s.Tasks[0].Step == step).ToList();
    }

    private Task Confirm(string step, int partition, TimeSpan ranFor) =>
        _engine.Runtime.SendAsync(new ConfirmTask(_id, TaskId.For(_id, step, partition), 1, WorkerId.From("w"), [], new Dictionary<string, string>(),
            new TaskMetrics(0, 0, 0, ranFor)));

    [Fact]
    public async Task A_step_of_short_tasks_is_packed_once_its_first_attempts_ran_and_a_step_of_long_ones_never_is()
    {
        var probe = await SendsOnceSettledAsync("short", 2 * Slots);
        probe.SelectMany(s => s.Tasks).Should().HaveCount(2 * Slots, "until the step's tasks are known, two per live slot are in the queue");
        probe.Should().OnlyContain(s => s.MostPerMessage == 1, "unknown tasks go one to a message");
        (await SendsOnceSettledAsync("long", 2 * Slots)).SelectMany(s => s.Tasks).Should().HaveCount(2 * Slots);

        for (var partition = 0; partition < 2 * Slots; partition++)
        {
            await Confirm("short", partition, TimeSpan.FromMilliseconds(1));
            await Confirm("long", partition, TimeSpan.FromSeconds(30));
        }
        var shortSends = await SendsOnceSettledAsync("short", Tasks);
        _queue.Sent.Count(t => t.Step == "long").Should().Be(4 * Slots, "a step shown long stays in the probe's window (refilled as its attempts are confirmed) until the probe's second is up");
        _engine.Clock.Advance(TaskPacking.ProbeFor);
        var longSends = await SendsOnceSettledAsync("long", Tasks);

        shortSends.SelectMany(s => s.Tasks).Select(t => t.Partition).Should().BeEquivalentTo(Enumerable.Range(0, Tasks), "every task is sent once");
        shortSends.Last().MostPerMessage.Should().Be(10, "tasks of 1 ms: ten fit in 10 ms (and 392 in the queue leave each of 4 slots more than two messages)");
        longSends.Should().OnlyContain(s => s.MostPerMessage == 1, "tasks of 30 s each go one to a message");
        longSends.SelectMany(s => s.Tasks).Should().HaveCount(Tasks);
    }

    [Fact]
    public void A_pack_never_leaves_a_live_slot_without_two_messages_and_never_holds_more_than_10_ms_of_work()
    {
        var packing = new TaskPacking();
        for (var i = 0; i < TaskPacking.Learned; i++) packing.Ran(TimeSpan.FromMilliseconds(0.2));

        packing.PerMessage(queued: 10_000, liveSlots: 4).Should().Be(TaskPacking.MostPerMessage, "0.2 ms tasks: 50 would fit in 10 ms, capped at 32");
        packing.PerMessage(queued: 40, liveSlots: 4).Should().Be(5, "40 tasks over 4 slots, two messages each");
        packing.PerMessage(queued: 6, liveSlots: 4).Should().Be(1, "too few to share");
        packing.PerMessage(queued: 10_000, liveSlots: 0).Should().Be(1, "no live worker known: nothing packed");
        var now = new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);
        packing.Window(10_000, liveSlots: 4, now).Should().Be(10_000, "learned: the whole window");
        var probing = new TaskPacking();
        probing.Window(10_000, liveSlots: 4, now).Should().Be(TaskPacking.Learned, "unknown: two per slot, at least the tasks it learns from");
        probing.Window(10_000, liveSlots: 20, now + TimeSpan.FromSeconds(0.5)).Should().Be(40, "two per live slot");
        probing.Window(10_000, liveSlots: 4, now + TaskPacking.ProbeFor).Should().Be(10_000, "tasks not shown short within a second are not: the whole window goes");
        probing.PerMessage(queued: 10_000, liveSlots: 4).Should().Be(1, "and one to a message");
    }

    [Fact]
    public void Tasks_of_a_fresh_pool_slow_with_warm_up_are_packed_by_their_typical_time_not_their_mean()
    {
        var packing = new TaskPacking();
        for (var i = 0; i < 3; i++) packing.Ran(TimeSpan.FromMilliseconds(150)); // each of 3 workers' first task
        for (var i = 3; i < TaskPacking.Learned; i++) packing.Ran(TimeSpan.FromMilliseconds(0.5));

        packing.PerMessage(queued: 10_000, liveSlots: 3).Should().Be(20, "the typical task takes 0.5 ms (the mean, 57 ms, would pack none)");

        for (var i = 0; i < TaskPacking.Remembered; i++) packing.Ran(TimeSpan.FromMilliseconds(40));
        packing.PerMessage(queued: 10_000, liveSlots: 3).Should().Be(1, "the step's last attempts took 40 ms each: what it learned first is forgotten");
    }
}
