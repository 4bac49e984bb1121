using System.Text;
using Orchestration.Ports;
using Orchestration.Storage;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// A group commit as columns (one array per column), so that any number of events goes to the server in one
/// INSERT ... SELECT FROM unnest(...): one round trip, whatever the size of the group. Built before the append
/// lock is taken, so serialising events does not lengthen the time other writers wait.
/// </summary>
internal sealed class EventRows
{
    private EventRows(int count, int streams)
    {
        Ids = new Guid[count];
        StreamIds = new string[count];
        Versions = new long[count];
        Data = new string[count];
        Types = new string[count];
        DotnetTypes = new string[count];
        Streams = new string[streams];
        StreamVersions = new long[streams];
    }

    public int Count => Ids.Length;
    /// <summary>When the group was written: stored with its events, and the same instant in the writer's memory.</summary>
    public DateTimeOffset RecordedAt { get; } = Microseconds(DateTimeOffset.UtcNow);

    // PostgreSQL keeps microseconds; rounding here keeps the remembered instant equal to the stored one.
    private static DateTimeOffset Microseconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));
    public Guid[] Ids { get; }
    public string[] StreamIds { get; }
    public long[] Versions { get; }
    public string[] Data { get; }
    public string[] Types { get; }
    public string[] DotnetTypes { get; }

    /// <summary>Each stream that gets events, with the version it will be at.</summary>
    public string[] Streams { get; }
    public long[] StreamVersions { get; }

    public static EventRows From(IReadOnlyList<StreamAppend> appends)
    {
        var writing = appends.Where(a => a.Events.Count > 0).ToArray();
        var rows = new EventRows(writing.Sum(a => a.Events.Count), writing.Length);
        var i = 0;
        for (var s = 0; s < writing.Length; s++)
        {
            var append = writing[s];
            var version = append.ExpectedVersion;
            foreach (var e in append.Events)
            {
                rows.Ids[i] = Guid.CreateVersion7();
                rows.StreamIds[i] = append.Stream;
                rows.Versions[i] = ++version;
                rows.Data[i] = Encoding.UTF8.GetString(EventSerializer.Instance.Serialize(e));
                rows.Types[i] = EventSerializer.Instance.TypeOf(e);
                rows.DotnetTypes[i] = $"{e.GetType().FullName}, {e.GetType().Assembly.GetName().Name}";
                i++;
            }
            rows.Streams[s] = append.Stream;
            rows.StreamVersions[s] = version;
        }
        return rows;
    }

    /// <summary>Global positions head + 1, head + 2, ... in the order the appends were given.</summary>
    public long[] Positions(long head)
    {
        var positions = new long[Count];
        for (var i = 0; i < positions.Length; i++) positions[i] = head + 1 + i;
        return positions;
    }
}
