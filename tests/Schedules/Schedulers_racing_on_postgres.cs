using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Orchestration.Adapters.Postgres;
using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Schedules;
using Orchestration.Tests.Adapters.Postgres;
using Xunit;

namespace Orchestration.Tests.Schedules;

/// <summary>
/// Two orchestrators, each with its own connections and runtime, wake for the same occurrences on one PostgreSQL
/// event store: each occurrence fires once and starts one process, and neither orchestrator fails.
/// </summary>
public sealed class Schedulers_racing_on_postgres : IAsyncLifetime
{
    private readonly TestSchema _schema = new();
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
        await _schema.DisposeAsync();
    }

    private async Task<(MartenEventStore Store, Scheduler Scheduler)> OrchestratorAsync(TimeProvider clock)
    {
        var store = await MartenEventStore.OpenAsync(_schema.NewSource(), _schema.Name);
        var runtime = new ProcessRuntime(store, clock);
        _owned.Add(runtime);
        _owned.Add(new Disposing(store));
        return (store, new Scheduler(store, runtime, Scheduler_on_a_fake_clock.Catalog(), clock));
    }

    [Fact]
    public async Task Two_orchestrators_waking_for_the_same_occurrence_start_exactly_one_process()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 13, 30, 0, TimeSpan.Zero));
        var since = clock.GetUtcNow();
        var (store, a) = await OrchestratorAsync(clock);
        var (_, b) = await OrchestratorAsync(clock);
        var schedule = Scheduler_on_a_fake_clock.Catalog().Schedules[0];

        for (var hour = 0; hour < 5; hour++)
        {
            clock.Advance(TimeSpan.FromHours(1)); // 14:30, 15:30, ...: one occurrence due each time
            await Task.WhenAll(a.TickAsync(schedule, since), b.TickAsync(schedule, since));
        }

        var firings = await store.ReadStreamAsync(ScheduleDecider.StreamOf("hourly")).Select(e => (ScheduleFired)e.Event).ToListAsync();
        firings.Select(f => f.ProcessId.Value).Should().Equal(
            "hourly-20261123T1400Z", "hourly-20261123T1500Z", "hourly-20261123T1600Z", "hourly-20261123T1700Z", "hourly-20261123T1800Z");
        (a.Fired + b.Fired).Should().Be(5, "each occurrence was recorded by exactly one of them");
        foreach (var firing in firings)
        {
            var events = await store.ReadStreamAsync(ProcessStreams.StreamOf(firing.ProcessId)).Select(e => e.Event).ToListAsync();
            events.OfType<ProcessStarted>().Should().ContainSingle($"{firing.ProcessId} starts once");
        }
    }

    private sealed class Disposing(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
