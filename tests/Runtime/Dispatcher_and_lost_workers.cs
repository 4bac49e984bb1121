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
/// A step placed on any worker matching a compound selector: the dispatcher chooses a live worker and sends each task
/// to that worker's own queue. When the chosen worker leaves before confirming, its open tasks go to another.
/// </summary>
public sealed class Dispatcher_and_lost_workers : IAsyncLifetime
{
    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero));
    private readonly ProcessId _id = ProcessId.From("placed");
    private readonly WorkerRegistry _registry;

    private static readonly Dictionary<string, string> EuLabels = new() { ["region"] = "EU", ["tier"] = "fast" };

    public Dispatcher_and_lost_workers() => _registry = new WorkerRegistry(_engine.Clock);

    public async Task InitializeAsync()
    {
        var graph = ProcessGraph.Define("placed-any", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code("noop"), s => s.On("region=EU,tier=fast", Target.Any))
            .Build();
        await _engine.Runtime.SendAsync(new StartProcess(_id, graph,
            new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = Enumerable.Range(0, 3).Select(i => new BlobRef(new Uri($"blob://local/in/{i}"), "00", 1, 1)).ToArray() },
            new Dictionary<string, string>()));
        Beat("w1");
        Beat("w2");
        await _engine.Runtime.SendAsync(new PlaceStep(_id, "map", _registry.Live().Select(w => new LabeledWorker(w.Id, w.Labels, w.Steps)).ToArray()));
    }

    public Task DisposeAsync() => _engine.DisposeAsync().AsTask();

    private void Beat(string worker, params string[] steps) =>
        _registry.Record(new WorkerStatus(WorkerId.From(worker), EuLabels, Slots: 4, Running: [], _engine.Clock.GetUtcNow(), Steps: steps.Length == 0 ? ["noop@1"] : steps));

    /// <summary>A dispatcher over the engine's store and the test's registry, once it has sent the step's 3 tasks.</summary>
    private async Task<(RecordingQueue Queue, LogFollower Dispatcher, CancellationTokenSource Stop, Task Running)> DispatchingAsync()
    {
        var queue = new RecordingQueue(isDurable: true);
        var dispatcher = new Dispatcher(queue, _engine.Clock, _engine.Runtime.Counters, new DispatcherOptions(IdleWait: TimeSpan.FromMilliseconds(20)), _registry);
        var follower = new LogFollower(_engine.Store, new FileCheckpointStore(_engine["checkpoints"]), [dispatcher], _engine.Clock,
            new FollowerOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        var stop = new CancellationTokenSource();
        var running = follower.RunAsync(stop.Token);
        await Eventually.True(() => queue.Sent.Count == 3, TimeSpan.FromSeconds(20), "the step's 3 tasks sent");
        return (queue, follower, stop, running);
    }

    [Fact]
    public async Task The_open_tasks_of_a_chosen_worker_that_left_are_sent_to_another_and_its_confirmed_ones_are_not()
    {
        var (queue, dispatcher, stop, running) = await DispatchingAsync();
        using var _ = stop;
        var first = queue.Sent.ToList();
        var onW1 = first.Where(t => t.Worker == WorkerId.From("w1")).ToList();
        onW1.Should().HaveCount(2, "the least busy worker takes each task, ties going to the first by id: w1, w2, w1");
        var confirmedOnW1 = onW1[0];
        await _engine.Runtime.SendAsync(new ConfirmTask(_id, confirmedOnW1.TaskId, 1, WorkerId.From("w1"), [], new Dictionary<string, string>(), TaskMetrics.None));
        var head = await _engine.Store.HeadAsync();
        await Eventually.True(() => dispatcher.Position >= head, TimeSpan.FromSeconds(20), "the dispatcher read the confirmation");

        // w1 falls silent; w2 goes on beating (before w1 drops out, so w2 is never out of the registry).
        _engine.Clock.Advance(_registry.Expiry / 2);
        Beat("w2");
        _engine.Clock.Advance(_registry.Expiry / 2 + TimeSpan.FromSeconds(1));
        await Eventually.True(() => queue.Sent.Count == 3 + onW1.Count - 1, TimeSpan.FromSeconds(20), "w1's open tasks sent again");
        await stop.CancelAsync();
        await running.ContinueWith(_ => { });

        var again = queue.Sent.Skip(3).ToList();
        again.Should().OnlyContain(t => t.Worker == WorkerId.From("w2") && t.Attempt == 1, "the same attempt, to the worker still live");
        again.Select(t => t.TaskId).Should().BeEquivalentTo(onW1.Skip(1).Select(t => t.TaskId), "only w1's unconfirmed tasks");
        _engine.Runtime.Counters.HandedOn.Should().Be(onW1.Count - 1);
    }

    [Fact]
    public async Task The_open_tasks_of_a_chosen_worker_back_under_its_name_without_the_steps_version_go_to_one_that_has_it()
    {
        var (queue, dispatcher, stop, running) = await DispatchingAsync();
        using var _ = stop;
        var onW1 = queue.Sent.Where(t => t.Worker == WorkerId.From("w1")).ToList();

        // A rolling deploy restarts w1 under the same name with noop v2 only: it stays live, but cannot run v1's tasks.
        _engine.Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", "noop@2");
        await Eventually.True(() => queue.Sent.Count == 3 + onW1.Count, TimeSpan.FromSeconds(20), "w1's open tasks sent again");
        await stop.CancelAsync();
        await running.ContinueWith(_ => { });

        queue.Sent.Skip(3).Should().OnlyContain(t => t.Worker == WorkerId.From("w2") && t.Attempt == 1, "the same attempts, to the worker with noop v1");
    }
}
