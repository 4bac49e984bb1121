using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Orchestration.Ports;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// Where each event of the log starts, by global position and by stream: what readers see. Only durable events
/// are added (those found on open, then each group commit once flushed, as a whole), so a reader never sees an
/// event a crash could take back, nor part of a group commit. Events are addressed by their line number in the log;
/// positions rise with it but may skip numbers once deleted streams were removed (retention).
/// </summary>
internal sealed class LogIndex
{
    private readonly Lock _gate = new();
    private readonly List<long> _starts = [0]; // _starts[i] is where line i starts; the last entry is the end
    private readonly List<long> _positions = []; // _positions[i] is line i's global position, ascending
    private readonly Dictionary<string, List<int>> _streams = new(StringComparer.Ordinal); // stream -> its lines
    private long _head;

    public long Head => Interlocked.Read(ref _head);

    /// <summary>Where the last indexed line ends: on open, everything after it is a torn or unreadable tail.</summary>
    public long End { get { lock (_gate) return _starts[^1]; } }

    /// <summary>
    /// Indexes the log up to its first line that is torn, unparsable or not above the last position. Such a line is
    /// what a crash leaves of a write that was never acknowledged; the log ends before it.
    /// </summary>
    public static LogIndex Load(SafeFileHandle log)
    {
        var index = new LogIndex();
        LogScanner.Scan(log, (line, end) =>
        {
            if (!EventLine.TryReadEnvelope(line, out var position, out var stream) || position <= index._head) return false;
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

    /// <summary>Up to <paramref name="max"/> lines whose positions are above <paramref name="afterPosition"/>, in order.</summary>
    public Lines After(long afterPosition, int max)
    {
        lock (_gate)
        {
            var found = CollectionsMarshal.AsSpan(_positions).BinarySearch(afterPosition + 1);
            var first = found >= 0 ? found : ~found;
            return Slice(Enumerable.Range(first, Math.Clamp(_positions.Count - first, 0, max)).ToArray());
        }
    }

    /// <summary>The lines of <paramref name="stream"/> past its version <paramref name="afterVersion"/>.</summary>
    public Lines Of(string stream, long afterVersion)
    {
        lock (_gate)
            return Slice(_streams.TryGetValue(stream, out var lines) && afterVersion < lines.Count
                ? CollectionsMarshal.AsSpan(lines)[(int)Math.Max(afterVersion, 0)..].ToArray()
                : []);
    }

    /// <summary>Every line, except those of <paramref name="streams"/>: what a log without those streams holds.</summary>
    public Lines Without(IReadOnlySet<string> streams)
    {
        lock (_gate)
        {
            var dropped = new HashSet<int>(streams.SelectMany(s => _streams.GetValueOrDefault(s) ?? []));
            return Slice(Enumerable.Range(0, _positions.Count).Where(i => !dropped.Contains(i)).ToArray());
        }
    }

    public int CountOf(IEnumerable<string> streams)
    {
        lock (_gate) return streams.Sum(s => _streams.GetValueOrDefault(s)?.Count ?? 0);
    }

    public IReadOnlyList<StreamInfo> Streams()
    {
        lock (_gate) return _streams.Select(s => new StreamInfo(s.Key, s.Value.Count)).ToArray();
    }

    private Lines Slice(int[] lines) =>
        new(lines.Select(i => _positions[i]).ToArray(), lines.Select(i => _starts[i]).ToArray(), lines.Select(i => _starts[i + 1]).ToArray());

    private void Add(long position, string stream, long end)
    {
        (_streams.TryGetValue(stream, out var lines) ? lines : _streams[stream] = []).Add(_positions.Count);
        _positions.Add(position);
        _starts.Add(end);
    }
}

/// <summary>Some lines of the log: each one's position, and where it starts and ends.</summary>
internal sealed record Lines(long[] Positions, long[] Starts, long[] Ends)
{
    public int Count => Positions.Length;
}
