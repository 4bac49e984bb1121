using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Schedules;

namespace Orchestration.Runtime;

/// <summary>
/// Fires the catalogue's schedules: sleeps on the clock's timers until the next occurrence, records each firing in
/// the schedule's stream with an expected version, and only then starts the process. Several orchestrators may run
/// one: the firing's append is the arbiter, so an occurrence fires once and starts one process; the loser of a race
/// meets a concurrency conflict, reloads and finds nothing left to do.
/// </summary>
public sealed class Scheduler(IEventStore store, ProcessRuntime runtime, GraphCatalog catalog, TimeProvider clock)
{
    /// <summary>The longest sleep: a changed wall clock or another orchestrator's firing is seen within it.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private long _fired;

    /// <summary>Firings this scheduler recorded (not those another orchestrator won).</summary>
    public long Fired => Interlocked.Read(ref _fired);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var watchingSince = clock.GetUtcNow();
        if (catalog.Schedules.Count == 0) await Task.Delay(Timeout.InfiniteTimeSpan, clock, cancellationToken); // nothing to fire, ever
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = DateTimeOffset.MaxValue;
            foreach (var schedule in catalog.Schedules)
                if (await TickAsync(schedule, watchingSince, cancellationToken) is { } due && due < next) next = due;
            var sleep = next - clock.GetUtcNow();
            await Task.Delay(sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep > MaxSleep ? MaxSleep : sleep, clock, cancellationToken);
        }
    }

    /// <summary>Fires whatever of <paramref name="schedule"/> is due now; returns when it is next due.</summary>
    public async Task<DateTimeOffset?> TickAsync(ScheduleDefinition schedule, DateTimeOffset watchingSince, CancellationToken cancellationToken = default)
    {
        var stream = ScheduleDecider.StreamOf(schedule.Name);
        while (true)
        {
            var (version, last) = await LastFiringAsync(stream, cancellationToken);
            // A firing whose orchestrator died before it started the process: started here (a second start is refused).
            if (last is not null) await StartAsync(schedule, last, cancellationToken);
            var decision = ScheduleDecider.Decide(schedule, last?.Occurrence, watchingSince, clock.GetUtcNow());
            try
            {
                var skipped = decision.Skipped;
                foreach (var occurrence in decision.Fire)
                {
                    var fired = new ScheduleFired(ScheduleDecider.ProcessIdFor(schedule.Name, occurrence), schedule.Name, occurrence, skipped, clock.GetUtcNow());
                    await store.AppendAsync([new StreamAppend(stream, version, [fired])], cancellationToken);
                    (version, skipped) = (version + 1, 0);
                    Interlocked.Increment(ref _fired);
                    await StartAsync(schedule, fired, cancellationToken);
                }
                return decision.Next;
            }
            catch (ConcurrencyException)
            {
                // Another orchestrator fired first: read what it recorded and decide again.
            }
        }
    }

    private async Task StartAsync(ScheduleDefinition schedule, ScheduleFired fired, CancellationToken cancellationToken)
    {
        if (await IsStartedAsync(fired, cancellationToken)) return;
        var parameters = new Dictionary<string, string>(schedule.Parameters)
        {
            ["schedule"] = schedule.Name,
            ["occurrence"] = fired.Occurrence.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        try
        {
            await runtime.SendAsync(new StartProcess(fired.ProcessId, catalog.Get(schedule.Graph), new Dictionary<string, IReadOnlyList<Contracts.BlobRef>>(), parameters));
        }
        catch (DomainError error) when (error.Name == "process-already-started")
        {
            // The other orchestrator started it between our check and our start.
        }
    }

    private async Task<bool> IsStartedAsync(ScheduleFired fired, CancellationToken cancellationToken)
    {
        await foreach (var _ in store.ReadStreamAsync(ProcessStreams.StreamOf(fired.ProcessId), 0, cancellationToken))
            return true;
        return false;
    }

    private async Task<(long Version, ScheduleFired? Last)> LastFiringAsync(string stream, CancellationToken cancellationToken)
    {
        (long Version, ScheduleFired? Last) found = (0, null);
        await foreach (var stored in store.ReadStreamAsync(stream, 0, cancellationToken))
            found = (stored.Version, stored.Event as ScheduleFired ?? found.Last);
        return found;
    }
}
