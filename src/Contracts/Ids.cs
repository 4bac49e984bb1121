using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestration.Contracts;

/// <summary>Identifies one run of a processing graph. Chosen by the caller, never generated inside the engine.</summary>
[JsonConverter(typeof(StringIdConverter<ProcessId>))]
public readonly record struct ProcessId(string Value) : IStringId<ProcessId>
{
    public static ProcessId From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>
/// Identifies one task of a process: deterministic from the process, the step and the partition,
/// so a replay or a second orchestrator derives the same id. Attempts are numbered separately.
/// </summary>
[JsonConverter(typeof(StringIdConverter<TaskId>))]
public readonly record struct TaskId(string Value) : IStringId<TaskId>
{
    public static TaskId For(ProcessId process, string step, int partition) => new($"{process.Value}/{step}/{partition}");
    public static TaskId From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>Identifies one worker (a process or a thread of the embedded host).</summary>
[JsonConverter(typeof(StringIdConverter<WorkerId>))]
public readonly record struct WorkerId(string Value) : IStringId<WorkerId>
{
    public static WorkerId From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>An id that travels as a plain string (serialised as one, compared by value).</summary>
public interface IStringId<TSelf> where TSelf : IStringId<TSelf>
{
    string Value { get; }
    static abstract TSelf From(string value);
}

/// <summary>Writes an id as a plain JSON string, so stored events read naturally.</summary>
public sealed class StringIdConverter<T> : JsonConverter<T> where T : struct, IStringId<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        T.From(reader.GetString() ?? throw new JsonException($"{typeof(T).Name} must be a string."));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        T.From(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Value);
}
