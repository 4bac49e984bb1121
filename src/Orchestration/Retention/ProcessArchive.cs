using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Runtime;
using Orchestration.Storage;

namespace Orchestration.Retention;

/// <summary>
/// A pruned process's history as one compressed object of the blob store: a header line, then one JSON line per event
/// (position, version, wire type, time, the event as stored). Named <c>archive/processes/{id}/{first position}-{sha256}.jsonl.gz</c>:
/// the first position tells a process id's successive runs apart (the newest is read), and the SHA-256 in the name lets
/// a reader check the bytes it gets.
/// </summary>
public static class ProcessArchive
{
    public const string Format = "orchestration-process-archive.v1";

    public static string PrefixOf(ProcessId id) => $"archive/processes/{id.Value}/";

    /// <summary>The archive's bytes and the name to store them under.</summary>
    public static (string Name, byte[] Bytes) Write(ProcessId id, IReadOnlyList<StoredEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        using (var json = new Utf8JsonWriter(gzip))
        {
            void Line(Action<Utf8JsonWriter> write)
            {
                write(json);
                json.Flush();
                json.Reset();
                gzip.WriteByte((byte)'\n');
            }
            Line(w => { w.WriteStartObject(); w.WriteString("format", Format); w.WriteString("process", id.Value); w.WriteNumber("events", events.Count); w.WriteEndObject(); });
            foreach (var e in events)
                Line(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("p", e.Position);
                    w.WriteNumber("v", e.Version);
                    w.WriteString("t", EventSerializer.Instance.TypeOf(e.Event));
                    w.WriteString("at", e.RecordedAt);
                    w.WritePropertyName("d");
                    w.WriteRawValue(EventSerializer.Instance.Serialize(e.Event), skipInputValidation: true);
                    w.WriteEndObject();
                });
        }
        var bytes = buffer.ToArray();
        var first = events.Count == 0 ? 0 : events[0].Position;
        return ($"{PrefixOf(id)}{first:D12}-{Convert.ToHexStringLower(SHA256.HashData(bytes))}.jsonl.gz", bytes);
    }

    /// <summary>The SHA-256 an archive's name records, or null for a name that is not an archive's.</summary>
    public static string? Sha256Of(string name)
    {
        var file = name[(name.LastIndexOf('/') + 1)..];
        var dash = file.IndexOf('-');
        var sha = dash < 0 || !file.EndsWith(".jsonl.gz", StringComparison.Ordinal) ? "" : file[(dash + 1)..^".jsonl.gz".Length];
        return sha.Length == 64 && sha.All(char.IsAsciiHexDigitLower) ? sha : null;
    }

    /// <summary>Reads an archive back; throws <see cref="InvalidDataException"/> saying what is wrong with one that is damaged or cut short.</summary>
    public static async Task<IReadOnlyList<StoredEvent>> ReadAsync(Stream archive, ProcessId id, string name, CancellationToken cancellationToken = default)
    {
        var stream = ProcessStreams.StreamOf(id);
        var events = new List<StoredEvent>();
        int? expected = null;
        try
        {
            using var reader = new StreamReader(new GZipStream(archive, CompressionMode.Decompress));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (expected is null)
                {
                    if (!root.TryGetProperty("format", out var format) || format.GetString() != Format)
                        throw new InvalidDataException($"it is not a process archive of this engine (format {Format})");
                    expected = root.GetProperty("events").GetInt32();
                    continue;
                }
                var type = root.GetProperty("t").GetString()!;
                events.Add(new StoredEvent(root.GetProperty("p").GetInt64(), stream, root.GetProperty("v").GetInt64(),
                    EventSerializer.Instance.Deserialize(type, System.Text.Encoding.UTF8.GetBytes(root.GetProperty("d").GetRawText())), root.GetProperty("at").GetDateTimeOffset()));
            }
        }
        catch (Exception error) when (error is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new InvalidDataException(Damaged(id, name, error.Message), error);
        }
        if (expected != events.Count)
            throw new InvalidDataException(Damaged(id, name, $"it holds {events.Count} event(s) of the {expected?.ToString() ?? "?"} it was written with"));
        return events;
    }

    public static string Damaged(ProcessId id, string name, string why) =>
        $"The archive of process {id} ({name}) is damaged: {why}. Restore the blob from a backup of the blob store; nothing was changed.";
}
