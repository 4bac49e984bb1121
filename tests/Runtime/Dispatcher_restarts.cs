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

/// <summary>The dispatcher after a restart of its follower (resumed from the checkpoint and its saved view): a task may be sent twice, never lost.</summary>
public sealed class Dispatcher_restarts : IAsyncLifetime
{
    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
    private FileCheckpointStore _checkpoints = null!;
    private readonly ProcessId _id = ProcessId.From("dispatched");

    public async Task InitializeAsync()
    {
        _checkpoints = new FileCheckpointStore(_engine["checkpoints"]);
        var graph = ProcessGraph.Define("dispatch-test", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code("noop"), s => s.Backoff(TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)))
            .Build();
        await _engine.Runtime.SendAsync(new StartProcess(_id, graph,
            new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = Enumerable.Range(0, 3).Select(i => new BlobRef(new Uri($"blob://local/in/{i}"), "00", 1, 1)).ToArray() },
            new Dictionary<string, string>()));
    }

    public Task DisposeAsync() => _engine.DisposeAsync().AsTask();

    /// <summary>Runs a dispatcher until it has sent <paramref name="count"/> tasks (or, with 0, until it has caught up), then stops it.</summary>
    private async Task<RecordingQueue> DispatchAsync(bool durable, int count)
    {
        var queue = new RecordingQueue(durable);
        var dispatcher = new Dispatcher(queue, _engine.Clock, _engine.Runtime.Counters, new DispatcherOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        var follower = new LogFollower(_engine.Store, _checkpoints, [dispatcher], _engine.Clock, new FollowerOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        using var stop = new CancellationTokenSource();
        var running = follower.RunAsync(stop.Token);
        var head = await _engine.Store.HeadAsync();
        await Eventually.True(() => queue.Sent.Count >= count && follower.Position >= head, TimeSpan.FromSeconds(20), $"{count} task(s) sent, all events read");
        await stop.CancelAsync();
        await running.ContinueWith(_ => { });
        return queue;
    }

    private Task<Decision> FailRetryably(int partition) =>
        _engine.Runtime.SendAsync(new FailTask(_id, TaskId.For(_id, "map", partition), 1, WorkerId.From("w"), "connection reset", Retryable: true));

    [Fact]
    public async Task A_restarted_dispatcher_resumes_from_its_checkpoint_without_sending_the_batch_again()
    {
        var first = await DispatchAsync(durable: true, count: 3);
        await _engine.Runtime.SendAsync(new ConfirmTask(_id, TaskId.For(_id, "map", 0), 1, WorkerId.From("w"), [], new Dictionary<string, string>(), TaskMetrics.None));

        var second = await DispatchAsync(durable: true, count: 0);

        first.Sent.Select(t => t.Partition).Should().BeEquivalentTo([0, 1, 2]);
        first.Sent.Should().OnlyContain(t => t.Parameters["partitions"] == "3" && t.Work == StepWork.Code("noop"));
        second.Sent.Should().BeEmpty("everything up to the checkpoint was sent before the restart");
    }

    [Fact]
    public async Task A_retry_held_back_for_its_backoff_is_not_lost_when_the_dispatcher_restarts_before_it_is_due()
    {
        await DispatchAsync(durable: true, count: 3);
        await FailRetryably(1);

        var beforeDue = await DispatchAsync(durable: true, count: 0);
        _engine.Clock.Advance(TimeSpan.FromMinutes(11));
        var afterDue = await DispatchAsync(durable: true, count: 1);

        beforeDue.Sent.Should().BeEmpty("the retry waits 10 minutes of backoff");
        afterDue.Sent.Should().ContainSingle().Which.Should().Match<RunTask>(t => t.Partition == 1 && t.Attempt == 2);
    }

    [Fact]
    public async Task With_an_in_memory_queue_a_restarted_dispatcher_sends_every_open_attempt_again()
    {
        await DispatchAsync(durable: false, count: 3);
        await _engine.Runtime.SendAsync(new ConfirmTask(_id, TaskId.For(_id, "map", 2), 1, WorkerId.From("w"), [], new Dictionary<string, string>(), TaskMetrics.None));

        var afterRestart = await DispatchAsync(durable: false, count: 2);

        afterRestart.Sent.Select(t => t.Partition).Should().BeEquivalentTo([0, 1], "the in-memory queue lost what it held; confirmed task 2 is not sent again");
    }
}
