using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Runtime;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>The timeout manager on a fake clock: it times out the open attempts of running processes, and only those.</summary>
public sealed class Timeout_manager : IAsyncLifetime
{
    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _engine.DisposeAsync().AsTask();

    private Task<Decision> Start(string id, int tasks) => _engine.Runtime.SendAsync(new StartProcess(ProcessId.From(id),
        ProcessGraph.Define("timeouts", 1).Map("map", DataSource.Dataset("in"), StepWork.Code("noop"), s => s.QueueTimeout(TimeSpan.FromMinutes(1))).Build(),
        new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = Enumerable.Range(0, tasks).Select(i => new BlobRef(new Uri($"blob://local/in/{i}"), "00", 1, 1)).ToArray() },
        new Dictionary<string, string>()));

    [Fact]
    public async Task Attempts_left_open_by_a_cancelled_process_are_never_timed_out_those_of_a_running_one_are()
    {
        await Start("cancelled", tasks: 3);
        await _engine.Runtime.SendAsync(new CancelProcess(ProcessId.From("cancelled"), "stopped by its owner"));
        await Start("running", tasks: 1);
        var manager = new TimeoutManager(_engine.Runtime, _engine.Clock);
        var follower = new LogFollower(_engine.Store, new FileCheckpointStore(_engine["checkpoints"]), [manager], _engine.Clock,
            new FollowerOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        using var stop = new CancellationTokenSource();
        var following = follower.RunAsync(stop.Token);
        var head = await _engine.Store.HeadAsync();
        await Eventually.True(() => follower.Position >= head, TimeSpan.FromSeconds(10), "the follower read the log");

        _engine.Clock.Advance(TimeSpan.FromMinutes(2)); // past every attempt's deadline
        await Eventually.True(() => _engine.Runtime.Counters.TimeoutsSent >= 1, TimeSpan.FromSeconds(10), "the running process's attempt timed out");
        await stop.CancelAsync();
        await following.ContinueWith(_ => { });

        _engine.Runtime.Counters.TimeoutsSent.Should().Be(1, "the cancelled process's three open attempts are not timed out");
        var history = await _engine.Store.ReadStreamAsync(ProcessStreams.StreamOf(ProcessId.From("running"))).ToListAsync();
        history.Select(e => e.Event).OfType<TaskTimedOut>().Should().ContainSingle();
    }
}
