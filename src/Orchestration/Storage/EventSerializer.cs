using System.Text.Json;
using Orchestration.Contracts;
using Orchestration.Processes;

namespace Orchestration.Storage;

/// <summary>
/// Turns process events into (wire name, JSON) and back, for every event store adapter. The wire name, not the
/// CLR name, is stored, so types can be renamed without breaking stored streams.
/// </summary>
public sealed class EventSerializer
{
    public static readonly EventSerializer Instance = new();

    private readonly WireNames _names = new(typeof(IProcessEvent).Assembly);

    /// <summary>The wire names of this assembly's types: its events, and the commands a client may send.</summary>
    internal WireNames Names => _names;

    /// <summary>
    /// Out-of-order metadata is allowed because some stores (PostgreSQL's jsonb) reorder an object's keys, so a
    /// polymorphic value's type discriminator need not come first when it is read back.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General) { AllowOutOfOrderMetadataProperties = true };

    public string TypeOf(IProcessEvent e) => _names.NameOf(e.GetType());

    /// <summary>Every event type with its wire name, for stores that map types up front (Marten).</summary>
    public IEnumerable<(string Name, Type Type)> EventTypes =>
        _names.Names.Select(name => (name, _names.TypeOf(name))).Where(e => typeof(IProcessEvent).IsAssignableFrom(e.Item2));

    public byte[] Serialize(IProcessEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, e.GetType(), Options);

    /// <summary>Writes the event's JSON where <paramref name="writer"/> is (a log line's body), with no buffer of its own.</summary>
    public void Serialize(Utf8JsonWriter writer, IProcessEvent e) => JsonSerializer.Serialize(writer, e, e.GetType(), Options);

    public IProcessEvent Deserialize(string type, ReadOnlySpan<byte> json) =>
        Shared((IProcessEvent)(JsonSerializer.Deserialize(json, _names.TypeOf(type), Options)
                               ?? throw new JsonException($"Stored event of type '{type}' is null.")));

    /// <summary>
    /// Read back, each of a million scheduled tasks would keep its own copy of its process id, step name, a route most
    /// tasks share and an empty input list; a reader that keeps them (a follower's open attempts, a watcher's state) keeps the shared ones instead.
    /// </summary>
    private static IProcessEvent Shared(IProcessEvent e)
    {
        if (e is not TaskScheduled read) return e;
        // A step's tasks come one after another: the process id and step name of the one before are shared when the same.
        var last = _lastScheduled;
        return _lastScheduled = read with
        {
            ProcessId = last is not null && read.ProcessId == last.ProcessId ? last.ProcessId : read.ProcessId,
            Step = last is not null && read.Step == last.Step ? last.Step : read.Step,
            Route = read.Route is { } route ? SharedRoutes.FirstOrDefault(shared => shared == route) ?? route : null,
            Inputs = read.Inputs.Count == 0 ? [] : read.Inputs,
        };
    }

    private static readonly TaskRoute[] SharedRoutes = [TaskRoute.Step, TaskRoute.Shared, TaskRoute.AnyMatching];

    [ThreadStatic] private static TaskScheduled? _lastScheduled;
}
