using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Orchestration.Ports;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// Where each event of the log starts, by global position and by stream: what readers see. Only durable events
/// are added (those found on open, then each group commit once flushed, as a whole), so a reader never sees an
/// event a crash could take back, nor part of a group commit.
/// </summary>
internal sealed class LogIndex
{
    private readonly Lock _gate = new();
    private readonly List<long> _starts = [0]; // _starts[p - 1] is where the event at position p starts; the last entry is the end
    private readonly Dictionary<string, List<long>> _streams = new(StringComparer.Ordinal); // stream -> positions
    private long _head;

    public long Head => Interlocked.Read(ref _head);

    /// <summary>Where the last indexed line ends: on open, everything after it is a torn or unreadable tail.</summary>
    public long End { get { lock (_gate) return _starts[^1]; } }

    /// <summary>
    /// Indexes the log up to its first line that is torn, unparsable or not at the next position. Such a line is
    /// what a crash leaves of a write that was never acknowledged; the log ends before it.
    /// </summary>
    public static LogIndex Load(SafeFileHandle log)
    {
        var index = new LogIndex();
        LogScanner.Scan(log, (line, end) =>
        {
            if (!EventLine.TryReadEnvelope(line, out var position, out var stream) || position != index._head + 1) return false;
            index.Add(position, stream, end);
            index._head = position;
            return true;
        });
        return index;
    }

    /// <param name="ends">where each event's line ends in the log.</param>
    public void Add(IReadOnlyList<StoredEvent> events, IReadOnlyList<long> ends)
    {
        if (events.Count == 0) return;
        lock (_gate)
            for (var i = 0; i < events.Count; i++)
                Add(events[i].Position, events[i].Stream, ends[i]);
        Interlocked.Exchange(ref _head, events[^1].Position);
    }

    /// <summary>Where the lines of <paramref name="count"/> events from <paramref name="first"/> on start, and where the last ends.</summary>
    public long[] Bounds(long first, int count)
    {
        lock (_gate) return CollectionsMarshal.AsSpan(_starts).Slice((int)first - 1, count + 1).ToArray();
    }

    public long[] Positions(string stream, long afterVersion)
    {
        lock (_gate)
            return _streams.TryGetValue(stream, out var positions) && afterVersion < positions.Count
                ? CollectionsMarshal.AsSpan(positions)[(int)Math.Max(afterVersion, 0)..].ToArray()
                : [];
    }

    public IReadOnlyList<StreamInfo> Streams()
    {
        lock (_gate) return _streams.Select(s => new StreamInfo(s.Key, s.Value.Count)).ToArray();
    }

    private void Add(long position, string stream, long end)
    {
        _starts.Add(end);
        (_streams.TryGetValue(stream, out var positions) ? positions : _streams[stream] = []).Add(position);
    }
}
