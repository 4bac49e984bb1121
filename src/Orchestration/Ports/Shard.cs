using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Orchestration.Contracts;
using Orchestration.Runtime;

namespace Orchestration.Ports;

/// <summary>
/// One of a deployment's <see cref="Count"/> shards: the streams (and so the processes) one orchestrator owns at a time.
/// A stream's shard is the first four bytes of the MD5 of its id, big-endian, modulo the count: stable across versions
/// of .NET and of PostgreSQL, which computes the same (<see cref="SqlOf"/>) to read one shard's events.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The most shards a deployment may have: each is a follower of the log and a queue.</summary>
    public const int Max = 256;

    /// <summary>The one shard of a deployment that is not sharded: every stream.</summary>
    public static readonly Shard All = new(0, 1);

    public bool IsAll => Count == 1;

    public bool Holds(string stream) => IsAll || IndexOf(stream, Count) == Index;

    public bool Holds(ProcessId process) => IsAll || Holds(ProcessStreams.StreamOf(process));

    /// <summary>Where this shard's follower saves its view; an unsharded deployment keeps the name it always had.</summary>
    public string CheckpointName => IsAll ? LogFollower.CheckpointName : $"{LogFollower.CheckpointName}.shard-{Index}-of-{Count}";

    public static Shard Of(ProcessId process, int count) => new(IndexOf(ProcessStreams.StreamOf(process), count), count);

    public static int IndexOf(string stream, int count)
    {
        if (count == 1) return 0;
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(Encoding.UTF8.GetBytes(stream), hash);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % (uint)count);
    }

    /// <summary>The same function in PostgreSQL, over a text column or expression.</summary>
    public static string SqlOf(string column, int count) => $"(('x' || left(md5({column}), 8))::bit(32)::bigint % {count})";

    /// <summary>Refuses a count no deployment can run with, saying what to set.</summary>
    public static int CheckCount(int count, string setting) => count is >= 1 and <= Max ? count
        : throw new ArgumentOutOfRangeException(setting, count, $"{setting} is {count}: a deployment has 1 to {Max} shards (1 when one orchestrator at a time runs it).");

    public override string ToString() => IsAll ? "every shard" : $"shard {Index} of {Count}";
}

/// <summary>
/// A page of one shard's events, and the global position read up to: past events of other shards, which the page leaves
/// out, so a follower moves on even when none of the page is its own. <see cref="More"/>: the log may hold more already.
/// </summary>
public sealed record LogPage(IReadOnlyList<StoredEvent> Events, long Through, bool More)
{
    /// <summary>A page of the whole log, as <see cref="IEventStore.ReadAllAsync"/> read it after <paramref name="afterPosition"/>, at most <paramref name="max"/>.</summary>
    public static LogPage Of(IReadOnlyList<StoredEvent> events, long afterPosition, int max) =>
        new(events, events.Count > 0 ? events[^1].Position : afterPosition, events.Count == max);
}
