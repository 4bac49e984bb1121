using System.Buffers;
using System.Text.Json;
using Orchestration.Ports;
using Orchestration.Storage;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// The log's line format, one event a line: <c>{"p":position,"s":stream,"v":version,"t":wire type,"at":time,"d":event}</c>.
/// Read with <see cref="Utf8JsonReader"/> over the line's bytes, so indexing a large log allocates little more than stream names.
/// </summary>
internal static class EventLine
{
    public static void Write(Utf8JsonWriter json, IBufferWriter<byte> output, StoredEvent stored, string type)
    {
        json.WriteStartObject();
        json.WriteNumber("p"u8, stored.Position);
        json.WriteString("s"u8, stored.Stream);
        json.WriteNumber("v"u8, stored.Version);
        json.WriteString("t"u8, type);
        json.WriteString("at"u8, stored.RecordedAt);
        json.WritePropertyName("d"u8);
        EventSerializer.Instance.Serialize(json, stored.Event);
        json.WriteEndObject();
        json.Flush();
        json.Reset(); // one writer for many lines: each line is a JSON value of its own
        output.Write("\n"u8);
    }

    /// <summary>The position and stream of a whole, well-formed line; false for anything else (a torn write's leftovers).</summary>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> line, out long position, out string stream)
    {
        (position, stream) = (0, null!);
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            string? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var (isPosition, isStream) = (reader.ValueTextEquals("p"u8), reader.ValueTextEquals("s"u8));
                reader.Read();
                if (isPosition) position = reader.GetInt64();
                else if (isStream) found = reader.GetString();
                else reader.Skip(); // still tokenized, so the whole line is checked to be JSON
            }
            if (reader.Read() || found is null) return false;
            stream = found;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    public static StoredEvent Parse(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        long position = 0, version = 0;
        string? stream = null, type = null;
        DateTimeOffset at = default;
        ReadOnlySpan<byte> data = default;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("p"u8)) position = NextInt64(ref reader);
            else if (reader.ValueTextEquals("v"u8)) version = NextInt64(ref reader);
            else if (reader.ValueTextEquals("s"u8)) stream = NextString(ref reader);
            else if (reader.ValueTextEquals("t"u8)) type = NextString(ref reader);
            else if (reader.ValueTextEquals("at"u8)) { reader.Read(); at = reader.GetDateTimeOffset(); }
            else
            {
                var isData = reader.ValueTextEquals("d"u8);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (isData) data = line[start..(int)reader.BytesConsumed];
            }
        }
        if (stream is null || type is null) throw new InvalidDataException($"The event log's line for position {position} has no stream or no type.");
        return new StoredEvent(position, stream, version, EventSerializer.Instance.Deserialize(type, data), at);
    }

    private static long NextInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.GetInt64();
    }

    private static string? NextString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.GetString();
    }
}
