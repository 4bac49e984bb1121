using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>
/// The orchestrator's one reader of the log, restarted: it resumes from its checkpoint with the view it saved (open
/// attempts and their deadlines), never reading the log again from its start.
/// </summary>
public sealed class Log_follower_restarts : IAsyncLifetime
{
    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private FileCheckpointStore _checkpoints = null!;

    public async Task InitializeAsync()
    {
        _checkpoints = new FileCheckpointStore(_engine["checkpoints"]);
        await _engine.Runtime.SendAsync(new StartProcess(ProcessId.From("long"),
            ProcessGraph.Define("restarts", 1).Map("map", DataSource.Dataset("in"), StepWork.Code("noop"), s => s.QueueTimeout(TimeSpan.FromMinutes(1))).Build(),
            new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = Enumerable.Range(0, 2).Select(i => new BlobRef(new Uri($"blob://local/in/{i}"), "00", 1, 1)).ToArray() },
            new Dictionary<string, string>()));
        await _engine.Runtime.SendAsync(new StartProcess(ProcessId.From("ended"),
            ProcessGraph.Define("restarts", 1).Map("map", DataSource.Dataset("in"), StepWork.Code("noop")).Build(),
            new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = [new BlobRef(new Uri("blob://local/in/x"), "00", 1, 1)] },
            new Dictionary<string, string>()));
        await _engine.Runtime.SendAsync(new CancelProcess(ProcessId.From("ended"), "not needed"));
    }

    public Task DisposeAsync() => _engine.DisposeAsync().AsTask();

    /// <summary>A follower with a timeout manager over <paramref name="store"/>, run until it has read the whole log.</summary>
    private async Task<(LogFollower Follower, CancellationTokenSource Stop, Task Running)> FollowAsync(IEventStore store)
    {
        var follower = new LogFollower(store, _checkpoints, [new TimeoutManager(_engine.Runtime, _engine.Clock)], _engine.Clock,
            new FollowerOptions(IdleWait: TimeSpan.FromMilliseconds(20)));
        var stop = new CancellationTokenSource();
        var running = follower.RunAsync(stop.Token);
        await follower.CaughtUp.WaitAsync(TimeSpan.FromSeconds(20));
        return (follower, stop, running);
    }

    private static async Task StopAsync((LogFollower Follower, CancellationTokenSource Stop, Task Running) following)
    {
        await following.Stop.CancelAsync();
        await following.Running.ContinueWith(_ => { });
        following.Stop.Dispose();
    }

    [Fact]
    public async Task A_restarted_follower_reads_on_from_its_checkpoint_and_times_out_what_its_saved_view_holds()
    {
        var first = await FollowAsync(_engine.Store);
        var stoppedAt = first.Follower.Position;
        await StopAsync(first);
        var reads = new ReadRecordingStore(_engine.Store);

        var second = await FollowAsync(reads);
        _engine.Clock.Advance(TimeSpan.FromMinutes(2)); // past the open attempts' deadlines
        await Eventually.True(() => _engine.Runtime.Counters.TimeoutsSent >= 2, TimeSpan.FromSeconds(10), "both open attempts of the running process timed out");
        await StopAsync(second);

        stoppedAt.Should().BeGreaterThan(0);
        reads.ReadsFrom.Should().NotBeEmpty().And.NotContain(0, "the log is never read again from its start");
        reads.ReadsFrom[0].Should().Be(stoppedAt);
        _engine.Runtime.Counters.TimeoutsSent.Should().Be(2, "the cancelled process's open attempt left the view with it");
    }
}
