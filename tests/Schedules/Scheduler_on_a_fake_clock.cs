using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Schedules;
using Orchestration.Tests.EndToEnd;
using Orchestration.Tests.Runtime;
using Xunit;

namespace Orchestration.Tests.Schedules;

/// <summary>The scheduler service sleeps on the clock's timers until an occurrence, then records the firing and starts the process.</summary>
public sealed class Scheduler_on_a_fake_clock : IAsyncLifetime
{
    internal static readonly ProcessGraph Graph = ProcessGraph.Define("local-sums", 1)
        .Map("sums", DataSource.Local("sales", "*.csv"), StepWork.Sql("SELECT sum(amount) AS total FROM input")).Build();

    internal static GraphCatalog Catalog(MissedRunPolicy missed = MissedRunPolicy.Skip) => new GraphCatalog().Add(Graph)
        .Add(new ScheduleDefinition("hourly", Graph.Name, "0 * * * *", new Dictionary<string, string> { ["region"] = "eu" }, missed, TimeZoneInfo.Utc));

    private readonly RuntimeOnAFakeClock _engine = new(new DateTimeOffset(2026, 11, 23, 13, 59, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _engine.DisposeAsync().AsTask();

    private async Task<List<ScheduleFired>> FiringsAsync() =>
        (await _engine.Store.ReadStreamAsync(ScheduleDecider.StreamOf("hourly")).ToListAsync()).Select(e => (ScheduleFired)e.Event).ToList();

    [Fact]
    public async Task At_the_occurrence_it_fires_once_and_starts_the_process_named_after_it_with_the_occurrence_as_a_parameter()
    {
        var scheduler = new Scheduler(_engine.Store, _engine.Runtime, Catalog(), _engine.Clock);
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);

        var id = ProcessId.From("hourly-20261123T1400Z");
        await Eventually.True(async () =>
        {
            _engine.Clock.Advance(TimeSpan.FromSeconds(5)); // the scheduler's timer fires once the clock passes 14:00
            return (await _engine.Store.LoadAsync(id)).Status != ProcessStatus.NotStarted;
        }, TimeSpan.FromSeconds(20), "the 14:00 process to start");
        _engine.Clock.Advance(TimeSpan.FromMinutes(30)); // more timers fire, but 14:00 is done

        var process = await _engine.Store.LoadAsync(id);
        process.Parameters.Should().Contain("region", "eu").And.Contain("occurrence", "2026-11-23T14:00:00.0000000Z");
        await Eventually.True(() => scheduler.Fired == 1, TimeSpan.FromSeconds(5), "one firing recorded");
        (await FiringsAsync()).Should().ContainSingle().Which.Occurrence.Should().Be(new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero));
        await stop.CancelAsync();
        await FluentActions.Awaiting(() => running).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task After_downtime_catch_up_starts_one_process_per_missed_occurrence_and_skip_starts_one()
    {
        var scheduler = new Scheduler(_engine.Store, _engine.Runtime, Catalog(), _engine.Clock);
        var (catchUp, skip) = (Catalog(MissedRunPolicy.CatchUp).Schedules[0], Catalog(MissedRunPolicy.Skip).Schedules[0]);
        var since = _engine.Clock.GetUtcNow();
        _engine.Clock.Advance(TimeSpan.FromMinutes(2));
        await scheduler.TickAsync(catchUp, since); // 14:01: 14:00 fires

        _engine.Clock.Advance(TimeSpan.FromHours(3)); // down from 14:01 to 17:01: 15:00, 16:00 and 17:00 missed
        await scheduler.TickAsync(catchUp, since);

        (await FiringsAsync()).Select(f => f.ProcessId.Value).Should().Equal(
            "hourly-20261123T1400Z", "hourly-20261123T1500Z", "hourly-20261123T1600Z", "hourly-20261123T1700Z");

        _engine.Clock.Advance(TimeSpan.FromHours(3)); // down again until 20:01, now skipping: only 20:00 runs
        await scheduler.TickAsync(skip, since);

        var last = (await FiringsAsync()).Last();
        (last.ProcessId.Value, last.Skipped).Should().Be(("hourly-20261123T2000Z", 2));
        foreach (var firing in await FiringsAsync())
            (await _engine.Store.LoadAsync(firing.ProcessId)).Status.Should().NotBe(ProcessStatus.NotStarted, $"{firing.ProcessId} was fired");
    }

    [Fact]
    public async Task A_firing_whose_orchestrator_died_before_starting_the_process_is_started_by_the_next_tick()
    {
        var occurrence = new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.Zero);
        var orphan = new ScheduleFired(ScheduleDecider.ProcessIdFor("hourly", occurrence), "hourly", occurrence, 0, occurrence);
        await _engine.Store.AppendAsync([new StreamAppend(ScheduleDecider.StreamOf("hourly"), 0, [orphan])]);

        await new Scheduler(_engine.Store, _engine.Runtime, Catalog(), _engine.Clock).TickAsync(Catalog().Schedules[0], _engine.Clock.GetUtcNow());

        (await _engine.Store.LoadAsync(orphan.ProcessId)).Status.Should().NotBe(ProcessStatus.NotStarted);
        (await FiringsAsync()).Should().ContainSingle("13:00 was already fired and 14:00 is not due yet");
    }
}
