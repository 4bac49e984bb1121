namespace Orchestration.Contracts.Messages;

/// <summary>
/// Event from a worker: it is alive at <paramref name="At"/> with these labels, slots and running tasks. Workers send
/// one every <see cref="Interval"/> and a last one with <paramref name="Stopping"/> set when they shut down, so the
/// orchestrator's registry of live workers needs no other source: a worker that stops beating drops out of it.
/// </summary>
/// <param name="Labels">What the worker says about itself (e.g. <c>region=EU</c>, <c>store=paris-1</c>), for selecting workers.</param>
/// <param name="Running">The tasks it runs right now, at most <paramref name="Slots"/>.</param>
[WireName("worker-status.v1")]
public sealed record WorkerStatus(
    WorkerId WorkerId,
    IReadOnlyDictionary<string, string> Labels,
    int Slots,
    IReadOnlyList<TaskId> Running,
    DateTimeOffset At,
    bool Stopping = false)
{
    /// <summary>How often a worker announces itself; the registry drops it after about three missed beats.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public override string ToString() =>
        $"Worker {WorkerId}{(Labels.Count == 0 ? "" : $" ({string.Join(", ", Labels.Select(l => $"{l.Key}={l.Value}"))})")} " +
        (Stopping ? $"stopping at {At:O}" : $"alive at {At:O}, running {Running.Count} of {Slots} slot(s)");
}
