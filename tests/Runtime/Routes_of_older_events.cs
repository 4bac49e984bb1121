using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>
/// The aggregate records each attempt's route and the dispatcher sends it there; an attempt recorded before routes
/// were (no route in its event) is sent where the same rule puts it.
/// </summary>
public sealed class Routes_of_older_events : IAsyncLifetime
{
    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private static readonly ProcessGraph Graph = ProcessGraph.Define("eu-sums", 1)
        .Map("sums", DataSource.Dataset("in"), StepWork.Sql("SELECT count(*) AS n FROM input"), s => s.On("region=EU", Target.Any))
        .Build();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _engine.DisposeAsync().AsTask();

    /// <summary>What the aggregate records for a started and placed process; with <paramref name="withRoutes"/> false, as an older version wrote it.</summary>
    private static IProcessEvent[] History(ProcessId id, DateTimeOffset now, bool withRoutes)
    {
        var state = new ProcessState();
        var events = new List<IProcessEvent>();
        IProcessCommand[] commands =
        [
            new StartProcess(id, Graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = [new BlobRef(new Uri("blob://local/in/0"), "00", 1, 1)] }, new Dictionary<string, string>()),
            new PlaceStep(id, "sums", [new LabeledWorker(WorkerId.From("paris-1"), new Dictionary<string, string> { ["region"] = "EU" })]),
        ];
        foreach (var command in commands)
            foreach (var e in ProcessDecider.Decide(state, command, now).Events)
            {
                ProcessState.Evolve(state, e);
                events.Add(withRoutes || e is not TaskScheduled scheduled ? e : scheduled with { Route = null });
            }
        return [.. events];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_sql_task_for_any_worker_with_one_label_is_sent_to_that_labels_queue(bool recordedWithItsRoute)
    {
        var id = ProcessId.From("eu");
        var history = History(id, _engine.Clock.GetUtcNow(), recordedWithItsRoute);
        history.OfType<TaskScheduled>().Should().ContainSingle().Which.Route.Should().Be(recordedWithItsRoute ? TaskRoute.ToLabel("region", "EU") : null);
        await _engine.Store.AppendAsync([new StreamAppend(ProcessStreams.StreamOf(id), 0, history)]);
        var queue = new RecordingQueue(isDurable: true);
        var follower = new LogFollower(_engine.Store, new FileCheckpointStore(_engine["checkpoints"]),
            [new Dispatcher(queue, _engine.Clock, _engine.Runtime.Counters, new DispatcherOptions(IdleWait: TimeSpan.FromMilliseconds(20)))], _engine.Clock,
            new FollowerOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        using var stop = new CancellationTokenSource();
        var running = follower.RunAsync(stop.Token);

        await Eventually.True(() => !queue.Sent.IsEmpty, TimeSpan.FromSeconds(20), "the task sent");
        await stop.CancelAsync();
        await running.ContinueWith(_ => { });

        queue.Sent.Should().ContainSingle().Which.Route.Should().Be(TaskRoute.ToLabel("region", "EU"));
    }
}
