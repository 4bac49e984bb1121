using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Orchestration.Ports;
using Orchestration.Storage;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// The embedded event store: one append-only log file of JSON lines (one event a line, with its global position,
/// stream, version and wire type), indexed in memory when opened. A group commit is one write and one flush,
/// so a crash leaves at most a torn last line, which is cut off on the next open (it was never acknowledged).
/// Recent events stay in memory, so followers reading right behind the writers do not parse them again.
/// </summary>
public sealed class FileEventStore : IEventStore, IDisposable
{
    private readonly FileStream _log;
    private readonly FileStream? _lock;
    private readonly string _path;
    private readonly bool _flushToDisk;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly List<long> _offsets = [0]; // _offsets[p - 1] is where the event at position p starts; the last entry is the end
    private readonly Dictionary<string, List<long>> _streams = new(StringComparer.Ordinal); // stream -> positions
    private readonly RecentEvents _recent = new();
    private TaskCompletionSource _appended = NewSignal();
    private long _head;

    /// <param name="flushToDisk">fsync each group commit; off only for throwaway data (tests, benchmarks).</param>
    public FileEventStore(string directory, bool flushToDisk = true)
    {
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "events.log");
        _flushToDisk = flushToDisk;
        _lock = LockDirectory(directory);
        _log = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        LoadIndex(cutTornTail: true);
    }

    private FileEventStore(string directory)
    {
        _path = Path.Combine(directory, "events.log");
        if (!File.Exists(_path))
            throw new FileNotFoundException($"There is no event log in '{directory}'. Run a process first, or point --data at the directory it used.");
        _log = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        LoadIndex(cutTornTail: false);
    }

    /// <summary>Opens the log to read it beside a running engine (status, history): no lock taken, appends refused.</summary>
    public static FileEventStore OpenReadOnly(string directory) => new(directory);

    public async Task<long> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        if (_lock is null) throw new InvalidOperationException("This event store was opened read-only.");
        await _writer.WaitAsync(cancellationToken);
        try
        {
            foreach (var append in appends.GroupBy(a => a.Stream))
                CheckVersion(append.Key, append.First().ExpectedVersion);
            if (appends.GroupBy(a => a.Stream).Any(g => g.Count() > 1))
                throw new ArgumentException("A group commit may hold each stream once; merge its events into one append.", nameof(appends));

            var now = DateTimeOffset.UtcNow;
            var buffer = new MemoryStream();
            var written = new List<StoredEvent>();
            var position = _head;
            foreach (var append in appends)
            {
                var version = append.ExpectedVersion;
                foreach (var e in append.Events)
                {
                    var stored = new StoredEvent(++position, append.Stream, ++version, e, now);
                    WriteLine(buffer, stored);
                    written.Add(stored);
                }
            }
            _log.Seek(_offsets[^1], SeekOrigin.Begin);
            buffer.Position = 0;
            await buffer.CopyToAsync(_log, cancellationToken);
            _log.Flush(_flushToDisk);
            Index(written, buffer);
            return _head;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async IAsyncEnumerable<StoredEvent> ReadStreamAsync(string stream, long afterVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long[] positions;
        lock (_streams) positions = _streams.TryGetValue(stream, out var list) ? list.Skip((int)afterVersion).ToArray() : [];
        foreach (var position in positions)
            yield return (await ReadRangeAsync(position - 1, 1, cancellationToken))[0];
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken = default)
    {
        var head = Interlocked.Read(ref _head);
        var count = (int)Math.Clamp(head - afterPosition, 0, max);
        return ReadRangeAsync(afterPosition, count, cancellationToken);
    }

    public Task<long> HeadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Interlocked.Read(ref _head));

    public async Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = Volatile.Read(ref _appended).Task;
        if (Interlocked.Read(ref _head) > afterPosition) return;
        try { await signal.WaitAsync(timeout, cancellationToken); }
        catch (TimeoutException) { }
    }

    public Task<IReadOnlyList<StreamInfo>> StreamsAsync(CancellationToken cancellationToken = default)
    {
        lock (_streams)
            return Task.FromResult<IReadOnlyList<StreamInfo>>(_streams.Select(s => new StreamInfo(s.Key, s.Value.Count)).ToArray());
    }

    public void Dispose()
    {
        _log.Dispose();
        _lock?.Dispose();
    }

    private void CheckVersion(string stream, long expected)
    {
        long actual;
        lock (_streams) actual = _streams.TryGetValue(stream, out var list) ? list.Count : 0;
        if (actual != expected) throw new ConcurrencyException(stream, expected, actual);
    }

    private static void WriteLine(MemoryStream buffer, StoredEvent stored)
    {
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("p", stored.Position);
            json.WriteString("s", stored.Stream);
            json.WriteNumber("v", stored.Version);
            json.WriteString("t", EventSerializer.Instance.TypeOf(stored.Event));
            json.WriteString("at", stored.RecordedAt);
            json.WritePropertyName("d");
            json.WriteRawValue(EventSerializer.Instance.Serialize(stored.Event), skipInputValidation: true);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
    }

    private void Index(List<StoredEvent> written, MemoryStream buffer)
    {
        // Offsets of each new line, found from the newlines just written.
        var bytes = buffer.GetBuffer();
        var start = _offsets[^1];
        var i = 0;
        lock (_streams)
        {
            foreach (var stored in written)
            {
                var end = Array.IndexOf(bytes, (byte)'\n', i, (int)buffer.Length - i) + 1;
                _offsets.Add(start + end);
                i = end;
                (_streams.TryGetValue(stored.Stream, out var list) ? list : _streams[stored.Stream] = []).Add(stored.Position);
                _recent.Add(stored);
            }
        }
        Interlocked.Exchange(ref _head, written.Count > 0 ? written[^1].Position : _head);
        Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadRangeAsync(long afterPosition, int count, CancellationToken cancellationToken)
    {
        var result = new StoredEvent[count];
        var missingFrom = -1;
        for (var i = 0; i < count; i++)
        {
            if (_recent.At(afterPosition + 1 + i) is { } cached) result[i] = cached;
            else if (missingFrom < 0) missingFrom = i;
        }
        if (missingFrom >= 0)
            await ReadFromFileAsync(result, afterPosition, missingFrom, cancellationToken);
        return result;
    }

    private async Task ReadFromFileAsync(StoredEvent[] result, long afterPosition, int from, CancellationToken cancellationToken)
    {
        long start, end;
        lock (_streams) (start, end) = (_offsets[(int)(afterPosition + from)], _offsets[(int)(afterPosition + result.Length)]);
        await using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        reader.Seek(start, SeekOrigin.Begin);
        var bytes = new byte[end - start];
        await reader.ReadExactlyAsync(bytes, cancellationToken);
        var i = from;
        foreach (var line in Lines(bytes))
        {
            if (result[i] is null) result[i] = Parse(line.Span);
            i++;
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Lines(byte[] bytes)
    {
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n') continue;
            yield return bytes.AsMemory(start, i - start);
            start = i + 1;
        }
    }

    private static StoredEvent Parse(ReadOnlySpan<byte> line)
    {
        using var doc = JsonDocument.Parse(line.ToArray());
        var root = doc.RootElement;
        var type = root.GetProperty("t").GetString()!;
        var data = Encoding.UTF8.GetBytes(root.GetProperty("d").GetRawText());
        return new StoredEvent(root.GetProperty("p").GetInt64(), root.GetProperty("s").GetString()!, root.GetProperty("v").GetInt64(),
            EventSerializer.Instance.Deserialize(type, data), root.GetProperty("at").GetDateTimeOffset());
    }

    private void LoadIndex(bool cutTornTail)
    {
        _log.Seek(0, SeekOrigin.Begin);
        var bytes = new byte[_log.Length];
        _log.ReadExactly(bytes);
        long offset = 0;
        foreach (var line in Lines(bytes))
        {
            long position;
            string stream;
            try
            {
                // Only the envelope is read here; events are parsed when someone reads them.
                using var doc = JsonDocument.Parse(line);
                (position, stream) = (doc.RootElement.GetProperty("p").GetInt64(), doc.RootElement.GetProperty("s").GetString()!);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                break; // a torn write from a crash: never acknowledged, cut off below
            }
            if (position != _head + 1) break;
            offset += line.Length + 1;
            _offsets.Add(offset);
            (_streams.TryGetValue(stream, out var list) ? list : _streams[stream] = []).Add(position);
            _head = position;
        }
        if (cutTornTail) _log.SetLength(offset);
    }

    private static FileStream LockDirectory(string directory)
    {
        var path = Path.Combine(directory, ".lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The event store in '{directory}' is in use by another process. Stop it, or use another data directory.", e);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
