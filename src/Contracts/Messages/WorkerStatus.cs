namespace Orchestration.Contracts.Messages;

/// <summary>
/// Event from a worker: it is alive at <paramref name="At"/> with these labels, slots and running tasks. Workers send
/// one every <see cref="Interval"/> and a last one with <paramref name="Stopping"/> set when they shut down, so the
/// orchestrator's registry of live workers needs no other source: a worker that stops beating drops out of it.
/// </summary>
/// <param name="Labels">What the worker says about itself (e.g. <c>region=EU</c>, <c>store=paris-1</c>), for selecting workers.</param>
/// <param name="Running">The tasks it runs right now, at most <paramref name="Slots"/>.</param>
/// <param name="Steps">The C# steps it has, as <c>name@version</c>: only tasks of those steps at those versions are sent to it.</param>
[WireName("worker-status.v1")]
public sealed record WorkerStatus(
    WorkerId WorkerId,
    IReadOnlyDictionary<string, string> Labels,
    int Slots,
    IReadOnlyList<TaskId> Running,
    DateTimeOffset At,
    bool Stopping = false,
    IReadOnlyList<string>? Steps = null)
{
    /// <summary>How often a worker announces itself; the registry drops it after about three missed beats.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public override string ToString()
    {
        // No lambdas: a contract's namespace holds only wire types (the wire-name test checks every type in it).
        var labels = new List<string>(Labels.Count);
        foreach (var (key, value) in Labels) labels.Add($"{key}={value}");
        return $"Worker {WorkerId}{(labels.Count == 0 ? "" : $" ({string.Join(", ", labels)})")} " +
               (Stopping ? $"stopping at {At:O}" : $"alive at {At:O}, running {Running.Count} of {Slots} slot(s)");
    }
}
