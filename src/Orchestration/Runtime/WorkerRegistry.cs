using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.Runtime;

/// <summary>A worker the orchestrator has heard from recently: what it said last, and when that arrived.</summary>
public sealed record LiveWorker(
    WorkerId Id,
    IReadOnlyDictionary<string, string> Labels,
    int Slots,
    IReadOnlyList<TaskId> Running,
    DateTimeOffset LastSeen,
    IReadOnlyList<string>? Steps = null);

/// <summary>
/// The orchestrator's view of the live workers, folded from their <see cref="WorkerStatus"/> beats. It is kept in
/// memory only: after a restart it is whole again within one beat interval, so nothing needs storing. A worker drops
/// out when no beat arrived for <see cref="Expiry"/> (about three missed beats), and at once when it says it is stopping.
/// </summary>
public sealed class WorkerRegistry(TimeProvider clock, TimeSpan? expiry = null)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<WorkerId, Entry> _workers = [];

    public TimeSpan Expiry { get; } = expiry ?? 3 * WorkerStatus.Interval + WorkerStatus.Interval / 2;

    /// <summary>
    /// Records a beat. Liveness is judged by the orchestrator's clock when the beat arrives (the workers' clocks may
    /// differ); the worker's own <see cref="WorkerStatus.At"/> only orders its beats, so a beat overtaken by a later
    /// one, or by the stop, changes nothing.
    /// </summary>
    public void Record(WorkerStatus status)
    {
        lock (_gate)
        {
            if (_workers.TryGetValue(status.WorkerId, out var known) && !IsNewer(status, known.Status)) return;
            _workers[status.WorkerId] = new Entry(status, clock.GetUtcNow());
            Forget(clock.GetUtcNow());
        }
    }

    /// <summary>The live workers, by id.</summary>
    public IReadOnlyList<LiveWorker> Live()
    {
        var now = clock.GetUtcNow();
        lock (_gate)
            return _workers.Values
                .Where(e => !e.Status.Stopping && now - e.Received <= Expiry)
                .OrderBy(e => e.Status.WorkerId.Value, StringComparer.Ordinal)
                .Select(e => new LiveWorker(e.Status.WorkerId, e.Status.Labels, e.Status.Slots, e.Status.Running, e.Received, e.Status.Steps ?? []))
                .ToList();
    }

    // The stop is the worker's last word: it wins a tie with a beat of the same instant.
    private static bool IsNewer(WorkerStatus status, WorkerStatus known) =>
        status.At > known.At || (status.At == known.At && status.Stopping && !known.Stopping);

    // A stopped or silent worker is remembered a while longer, so a late beat does not bring it back; then it goes.
    private void Forget(DateTimeOffset now)
    {
        foreach (var (id, entry) in _workers)
            if (now - entry.Received > 10 * Expiry) _workers.Remove(id);
    }

    private sealed record Entry(WorkerStatus Status, DateTimeOffset Received);
}
