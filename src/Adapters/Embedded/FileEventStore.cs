using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Storage;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// The embedded event store: one append-only log file of JSON lines (one event a line, with its global position,
/// stream, version and wire type), indexed in memory when opened. A group commit is one write, so a crash leaves
/// at most a torn last line, which is cut off on the next open (it was never acknowledged). Appends are written in
/// order under a lock and fsynced after it, many at once (<see cref="GroupFlush{TBatch}"/>); readers see them
/// once durable. Recent events stay in memory, so followers reading right behind the writers do not parse them again.
/// </summary>
public sealed class FileEventStore : IEventStore, IDisposable
{
    private const int ReadChunk = 1 << 16;

    private readonly SafeFileHandle _log; // every read and write goes through it, at an offset: no seeking, no reopening
    private readonly FileStream? _lock;
    private readonly LogIndex _index;
    private readonly RecentEvents _recent = new();
    private readonly GroupFlush<Batch>? _flush; // null: no fsync, a batch is published as soon as it is written
    private readonly SemaphoreSlim _writer = new(1, 1);
    // As written, flushed or not, so an append checks its expected version against every append before it.
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    private long _written; // the position of the last event written
    private long _end; // where the next batch is written
    private Task _lastDurable = Task.CompletedTask; // of the last batch written: earlier ones are published before it
    private TaskCompletionSource _appended = NewSignal();

    /// <param name="flushToDisk">fsync each group commit; off only for throwaway data (tests, benchmarks).</param>
    public FileEventStore(string directory, bool flushToDisk = true)
    {
        Directory.CreateDirectory(directory);
        _lock = LockDirectory(directory);
        _log = File.OpenHandle(Path.Combine(directory, "events.log"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        _index = LogIndex.Load(_log);
        _end = _index.End;
        RandomAccess.SetLength(_log, _end);
        _written = _index.Head;
        foreach (var stream in _index.Streams()) _versions[stream.Stream] = stream.Version;
        if (flushToDisk) _flush = new(() => RandomAccess.FlushToDisk(_log), Publish);
    }

    private FileEventStore(string directory)
    {
        var path = Path.Combine(directory, "events.log");
        if (!File.Exists(path))
            throw new FileNotFoundException($"There is no event log in '{directory}'. Run a process first, or point --data at the directory it used.");
        _log = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        _index = LogIndex.Load(_log);
    }

    /// <summary>Opens the log to read it beside a running engine (status, history): no lock taken, appends refused.</summary>
    public static FileEventStore OpenReadOnly(string directory) => new(directory);

    public async Task<long> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        if (_lock is null) throw new InvalidOperationException("This event store was opened read-only.");
        if (appends.GroupBy(a => a.Stream).Any(g => g.Count() > 1))
            throw new ArgumentException("A group commit may hold each stream once; merge its events into one append.", nameof(appends));
        // Serialized before taking the lock: only positions and times are decided under it.
        var events = appends.SelectMany(a => a.Events.Select((e, i) => new Unwritten(a.Stream, a.ExpectedVersion + 1 + i, e,
            EventSerializer.Instance.TypeOf(e), EventSerializer.Instance.Serialize(e)))).ToArray();

        Task durable;
        ConcurrencyException? conflict;
        long last = 0;
        await _writer.WaitAsync(cancellationToken);
        try
        {
            _flush?.ThrowIfFailed();
            conflict = Conflict(appends);
            if (conflict is null) (last, _lastDurable) = await WriteAsync(events);
            durable = _lastDurable;
        }
        finally
        {
            _writer.Release();
        }
        if (conflict is not null)
        {
            // The append that won may still be flushing: once it is visible, the caller's reload of the stream finds it.
            await durable.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw conflict;
        }
        await durable; // not cancellable: the batch is written, and it is acknowledged once on disk
        return last;
    }

    public async IAsyncEnumerable<StoredEvent> ReadStreamAsync(string stream, long afterVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var stored in ReadAsync(_index.Positions(stream, afterVersion), cancellationToken))
            yield return stored;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken = default)
    {
        var count = (int)Math.Clamp(_index.Head - afterPosition, 0, max);
        var read = new List<StoredEvent>(count);
        await foreach (var stored in ReadAsync([.. Enumerable.Range(1, count).Select(i => afterPosition + i)], cancellationToken))
            read.Add(stored);
        return read;
    }

    public Task<long> HeadAsync(CancellationToken cancellationToken = default) => Task.FromResult(_index.Head);

    public async Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = Volatile.Read(ref _appended).Task;
        if (_index.Head > afterPosition) return;
        try { await signal.WaitAsync(timeout, cancellationToken); }
        catch (TimeoutException) { }
    }

    public Task<IReadOnlyList<StreamInfo>> StreamsAsync(CancellationToken cancellationToken = default) => Task.FromResult(_index.Streams());

    public void Dispose()
    {
        _log.Dispose();
        _lock?.Dispose();
    }

    private ConcurrencyException? Conflict(IReadOnlyList<StreamAppend> appends)
    {
        foreach (var append in appends)
            if (_versions.GetValueOrDefault(append.Stream) is var actual && actual != append.ExpectedVersion)
                return new ConcurrencyException(append.Stream, append.ExpectedVersion, actual);
        return null;
    }

    /// <summary>Under the writer lock: writes the events after the last ones and returns the last position and when it is durable and visible.</summary>
    private async Task<(long Last, Task Durable)> WriteAsync(Unwritten[] events)
    {
        var (batch, bytes) = Encode(events);
        try
        {
            await RandomAccess.WriteAsync(_log, bytes, _end);
        }
        catch
        {
            RandomAccess.SetLength(_log, _end); // whole lines of a part-written batch must not be read as events on the next open
            throw;
        }
        foreach (var e in events) _versions[e.Stream] = e.Version;
        _written += events.Length;
        _end += bytes.Length;
        if (_flush is not null) return (_written, _flush.Written(batch));
        Publish(batch);
        return (_written, Task.CompletedTask);
    }

    private (Batch Batch, ReadOnlyMemory<byte> Bytes) Encode(Unwritten[] events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer);
        var now = DateTimeOffset.UtcNow;
        var stored = new StoredEvent[events.Length];
        var ends = new long[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            var e = events[i];
            stored[i] = new StoredEvent(_written + 1 + i, e.Stream, e.Version, e.Event, now);
            EventLine.Write(json, buffer, stored[i], e.Type, e.Data);
            ends[i] = _end + buffer.WrittenCount;
        }
        return (new Batch(stored, ends), buffer.WrittenMemory);
    }

    private void Publish(Batch batch)
    {
        foreach (var stored in batch.Events) _recent.Add(stored);
        _index.Add(batch.Events, batch.Ends);
        Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();
    }

    /// <summary>The events at <paramref name="positions"/> (ascending): from memory if recent, else each run of contiguous ones read a chunk at a time.</summary>
    private async IAsyncEnumerable<StoredEvent> ReadAsync(long[] positions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < positions.Length;)
        {
            if (_recent.At(positions[i]) is { } cached)
            {
                yield return cached;
                i++;
                continue;
            }
            var run = 1;
            while (i + run < positions.Length && positions[i + run] == positions[i] + run && _recent.At(positions[i + run]) is null) run++;
            var bounds = _index.Bounds(positions[i], run);
            for (var line = 0; line < run;)
            {
                var lines = 1; // at least one, however long
                while (line + lines < run && bounds[line + lines + 1] - bounds[line] <= ReadChunk) lines++;
                foreach (var stored in await ReadLinesAsync(bounds.AsMemory(line, lines + 1), cancellationToken))
                    yield return stored;
                line += lines;
            }
            i += run;
        }
    }

    /// <param name="bounds">where each line starts, and where the last one ends.</param>
    private async Task<StoredEvent[]> ReadLinesAsync(ReadOnlyMemory<long> bounds, CancellationToken cancellationToken)
    {
        var start = bounds.Span[0];
        var length = (int)(bounds.Span[^1] - start);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            for (var read = 0; read < length;)
            {
                var n = await RandomAccess.ReadAsync(_log, buffer.AsMemory(read, length - read), start + read, cancellationToken);
                if (n == 0) throw new EndOfStreamException("The event log is shorter than its index: was it truncated while open?");
                read += n;
            }
            var lines = new StoredEvent[bounds.Length - 1];
            for (var i = 0; i < lines.Length; i++)
                lines[i] = EventLine.Parse(buffer.AsSpan((int)(bounds.Span[i] - start), (int)(bounds.Span[i + 1] - bounds.Span[i] - 1)));
            return lines;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

    private sealed record Unwritten(string Stream, long Version, IProcessEvent Event, string Type, byte[] Data);

    /// <param name="Ends">where each event's line ends in the log.</param>
    private sealed record Batch(StoredEvent[] Events, long[] Ends);
}
