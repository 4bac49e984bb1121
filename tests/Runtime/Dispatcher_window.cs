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
/// A step's batch is recorded at once but sent a window at a time: the task queue never holds more of a step's attempts
/// than the window, the rest go as those sent close (confirmed, or superseded by a retry), and nothing is lost.
/// </summary>
public sealed class Dispatcher_window : IAsyncLifetime
{
    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingQueue _queue = new(isDurable: true);
    private readonly CancellationTokenSource _stop = new();
    private readonly ProcessId _id = ProcessId.From("windowed");
    private LogFollower _follower = null!;
    private Task _running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        var dispatcher = new Dispatcher(_queue, _engine.Clock, _engine.Runtime.Counters, new DispatcherOptions(IdleWait: TimeSpan.FromMilliseconds(20), Window: 3));
        _follower = new LogFollower(_engine.Store, new FileCheckpointStore(_engine["checkpoints"]), [dispatcher], _engine.Clock, new FollowerOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        _running = _follower.RunAsync(_stop.Token);
        var graph = ProcessGraph.Define("window-test", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code("noop"))
            .Map("other", DataSource.Dataset("in"), StepWork.Code("noop"))
            .Build();
        await _engine.Runtime.SendAsync(new StartProcess(_id, graph,
            new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = Enumerable.Range(0, 8).Select(i => new BlobRef(new Uri($"blob://local/in/{i}"), "00", 1, 1)).ToArray() },
            new Dictionary<string, string>()));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ContinueWith(_ => { });
        await _engine.DisposeAsync();
    }

    private async Task<IReadOnlyList<RunTask>> SentOnceSettledAsync(int count)
    {
        var head = await _engine.Store.HeadAsync();
        await Eventually.True(() => _queue.Sent.Count >= count && _follower.Position >= head, TimeSpan.FromSeconds(20), $"{count} task(s) sent, all events read");
        return _queue.Sent.ToList();
    }

    private Task Confirm(string step, int partition) =>
        _engine.Runtime.SendAsync(new ConfirmTask(_id, TaskId.For(_id, step, partition), 1, WorkerId.From("w"), [], new Dictionary<string, string>(), TaskMetrics.None));

    [Fact]
    public async Task Each_step_has_at_most_its_window_in_the_queue_and_the_next_go_as_the_first_close()
    {
        var first = await SentOnceSettledAsync(6);
        first.Where(t => t.Step == "map").Select(t => t.Partition).Should().Equal([0, 1, 2], "the first three of the batch, in order");
        first.Where(t => t.Step == "other").Select(t => t.Partition).Should().Equal([0, 1, 2], "each step has a window of its own");

        await Confirm("map", 0);
        await Confirm("map", 2);
        var second = await SentOnceSettledAsync(8);

        second.Should().HaveCount(8, "two places freed, two more sent");
        second.Where(t => t.Step == "map").Select(t => t.Partition).Should().Equal([0, 1, 2, 3, 4]);
    }

    [Fact]
    public async Task A_retry_frees_the_place_of_the_attempt_it_supersedes_and_every_task_is_sent_in_the_end()
    {
        await SentOnceSettledAsync(6);
        await _engine.Runtime.SendAsync(new FailTask(_id, TaskId.For(_id, "map", 1), 1, WorkerId.From("w"), "connection reset", Retryable: true));
        var afterRetry = await SentOnceSettledAsync(7);
        afterRetry.Where(t => t.Step == "map").Select(t => (t.Partition, t.Attempt)).Should().Equal([(0, 1), (1, 1), (2, 1), (3, 1)],
            "the failed attempt's place went to the next task; its retry waits behind the batch");

        foreach (var partition in new[] { 0, 2, 3, 4, 5, 6, 7 })
        {
            await Eventually.True(() => _queue.Sent.Any(t => t.Step == "map" && t.Partition == partition), TimeSpan.FromSeconds(20), $"map/{partition} sent");
            await Confirm("map", partition);
        }
        _engine.Clock.Advance(TimeSpan.FromHours(1)); // past the retry's backoff
        await Eventually.True(() => _queue.Sent.Any(t => t.Step == "map" && t.Partition == 1 && t.Attempt == 2), TimeSpan.FromSeconds(20), "the retry sent");
        _queue.Sent.Where(t => t.Step == "map").Select(t => (t.Partition, t.Attempt)).Should().OnlyHaveUniqueItems().And.HaveCount(9, "8 first attempts and one retry, each sent once");
    }
}
