using Orchestration.Ports;

namespace Orchestration.Storage;

/// <summary>
/// The events a store instance itself wrote most recently, by global position. Followers in the same process
/// (the dispatcher and the timeout manager read right behind the writers) then get them without a round trip
/// and without parsing them again. Only committed events are added, so a cached event is the stored event.
/// 65,536 events is seconds of the busiest orchestrator's output, and the ring's own cost is bounded: each event held
/// keeps its strings and lists (a quarter of a million held about 130 MB at a million-task process).
/// </summary>
public sealed class RecentEvents(int capacity = 1 << 16)
{
    private readonly StoredEvent?[] _ring = new StoredEvent?[capacity];

    public void Add(StoredEvent stored) => Volatile.Write(ref _ring[stored.Position % _ring.Length], stored);

    public StoredEvent? At(long position)
    {
        var stored = Volatile.Read(ref _ring[position % _ring.Length]);
        return stored?.Position == position ? stored : null;
    }

    /// <summary>Drops the cached events of deleted streams, so nothing serves them again.</summary>
    public void Forget(IReadOnlySet<string> streams)
    {
        for (var i = 0; i < _ring.Length; i++)
            if (Volatile.Read(ref _ring[i]) is { } stored && streams.Contains(stored.Stream)) Volatile.Write(ref _ring[i], null);
    }

    /// <summary>The cached events right after <paramref name="afterPosition"/>, in order, up to the first one not cached (maybe none).</summary>
    public List<StoredEvent> After(long afterPosition, int max)
    {
        var found = new List<StoredEvent>();
        while (found.Count < max && At(afterPosition + 1 + found.Count) is { } next) found.Add(next);
        return found;
    }
}
