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
/// Deleting streams (retention) writes a copy of the log without them and moves it into place in one rename.
/// </summary>
public sealed class FileEventStore : IEventStore, IDisposable
{
    private const int ReadChunk = 1 << 16;

    private readonly string _path;
    private readonly FileStream? _lock;
    // Every read and write goes through its handle, at an offset: no seeking. Replaced as a whole when streams are deleted;
    // a reader keeps the one it started with, so the handles replaced stay open until the store is disposed.
    private volatile Log _current;
    private readonly List<SafeFileHandle> _replaced = [];
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
        _path = Path.Combine(directory, "events.log");
        File.Delete(Compacting); // a deletion cut short: the log it would have replaced is whole
        _current = Log.Open(_path, FileAccess.ReadWrite, FileShare.Read);
        _end = _current.Index.End;
        RandomAccess.SetLength(_current.Handle, _end);
        _written = Math.Max(_current.Index.Head, ReadHighWater()); // positions of deleted tail events are never given again
        foreach (var stream in _current.Index.Streams()) _versions[stream.Stream] = stream.Version;
        if (flushToDisk) _flush = new(() => RandomAccess.FlushToDisk(_current.Handle), Publish);
    }

    private FileEventStore(string directory)
    {
        _path = Path.Combine(directory, "events.log");
        if (!File.Exists(_path))
            throw new FileNotFoundException($"There is no event log in '{directory}'. Run a process first, or point --data at the directory it used.");
        _current = Log.Open(_path, FileAccess.Read, FileShare.ReadWrite);
    }

    private string Compacting => _path + ".compacting";

    /// <summary>Opens the log to read it beside a running engine (status, history): no lock taken, appends refused.</summary>
    public static FileEventStore OpenReadOnly(string directory) => new(directory);

    public async Task<long> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        if (_lock is null) throw new InvalidOperationException("This event store was opened read-only.");
        if (appends.GroupBy(a => a.Stream).Any(g => g.Count() > 1))
            throw new ArgumentException("A group commit may hold each stream once; merge its events into one append.", nameof(appends));
        var events = appends.SelectMany(a => a.Events.Select((e, i) => new Unwritten(a.Stream, a.ExpectedVersion + 1 + i, e, EventSerializer.Instance.TypeOf(e)))).ToArray();

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
        var log = _current;
        await foreach (var stored in ReadAsync(log, log.Index.Of(stream, afterVersion), cancellationToken))
            yield return stored;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken = default)
    {
        var log = _current;
        var lines = log.Index.After(afterPosition, max);
        var read = new List<StoredEvent>(lines.Count);
        await foreach (var stored in ReadAsync(log, lines, cancellationToken))
            read.Add(stored);
        return read;
    }

    public Task<long> HeadAsync(CancellationToken cancellationToken = default) => Task.FromResult(_current.Index.Head);

    public async Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = Volatile.Read(ref _appended).Task;
        if (_current.Index.Head > afterPosition) return;
        try { await signal.WaitAsync(timeout, cancellationToken); }
        catch (TimeoutException) { }
    }

    public Task<IReadOnlyList<StreamInfo>> StreamsAsync(CancellationToken cancellationToken = default) => Task.FromResult(_current.Index.Streams());

    /// <summary>
    /// Writes the log without the streams' events beside it, flushes it and renames it over the log: a crash leaves the
    /// old log or the new one, whole. Appends wait meanwhile; readers go on reading the old one until they are done.
    /// </summary>
    public async Task<long> DeleteStreamsAsync(IReadOnlyCollection<string> streams, CancellationToken cancellationToken = default)
    {
        if (_lock is null) throw new InvalidOperationException("This event store was opened read-only.");
        var doomed = streams.ToHashSet(StringComparer.Ordinal);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await _lastDurable; // every batch written is on disk and indexed: the copy holds them all
            var log = _current;
            var removed = log.Index.CountOf(doomed);
            if (removed == 0) return 0;
            _end = await CopyAsync(log, log.Index.Without(doomed), cancellationToken);
            WriteHighWater(_written); // before the log that may lack the last positions is in place
            File.Move(Compacting, _path, overwrite: true);
            lock (_replaced) _replaced.Add(log.Handle);
            _current = Log.Open(_path, FileAccess.ReadWrite, FileShare.Read);
            foreach (var stream in doomed) _versions.Remove(stream);
            _recent.Forget(doomed);
            return removed;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// The last position ever written, kept beside the log once a deletion may have taken the last events away: followers'
    /// checkpoints may be past what the log holds, so new events must be numbered above it.
    /// </summary>
    private string HighWater => _path + ".head";

    private long ReadHighWater() => File.Exists(HighWater) && long.TryParse(File.ReadAllText(HighWater), out var head) ? head : 0;

    private void WriteHighWater(long head)
    {
        var temporary = HighWater + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(head.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, HighWater, overwrite: true);
    }

    /// <summary>Copies <paramref name="lines"/> of the log to <see cref="Compacting"/>, a run of adjacent lines at a time, and flushes it; returns its length.</summary>
    private async Task<long> CopyAsync(Log log, Lines lines, CancellationToken cancellationToken)
    {
        using var target = File.OpenHandle(Compacting, FileMode.Create, FileAccess.Write, FileShare.None);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        long written = 0;
        try
        {
            for (var i = 0; i < lines.Count;)
            {
                var run = 1;
                while (i + run < lines.Count && lines.Starts[i + run] == lines.Ends[i + run - 1]) run++;
                for (long at = lines.Starts[i], end = lines.Ends[i + run - 1]; at < end;)
                {
                    var n = await RandomAccess.ReadAsync(log.Handle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, end - at)), at, cancellationToken);
                    if (n == 0) throw new EndOfStreamException("The event log is shorter than its index: was it truncated while open?");
                    await RandomAccess.WriteAsync(target, buffer.AsMemory(0, n), written, cancellationToken);
                    (at, written) = (at + n, written + n);
                }
                i += run;
            }
            RandomAccess.FlushToDisk(target);
            return written;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _current.Handle.Dispose();
        lock (_replaced) foreach (var handle in _replaced) handle.Dispose();
        _lock?.Dispose();
    }

    private ConcurrencyException? Conflict(IReadOnlyList<StreamAppend> appends)
    {
        foreach (var append in appends)
            if (_versions.GetValueOrDefault(append.Stream) is var actual && actual != append.ExpectedVersion)
                return new ConcurrencyException(append.Stream, append.ExpectedVersion, actual);
        return null;
    }

    /// <summary>How many bytes of lines are encoded before they are written: a step of a million tasks is one append, whose
    /// lines (hundreds of megabytes) must not be held in memory at once.</summary>
    private const int ChunkBytes = 1 << 22;

    /// <summary>
    /// Under the writer lock: writes the events after the last ones, a chunk of lines at a time, and returns the last
    /// position and when it is durable and visible. Events are serialised here, straight into the chunk, so that a big
    /// append holds no second copy of itself.
    /// </summary>
    private async Task<(long Last, Task Durable)> WriteAsync(Unwritten[] events)
    {
        var now = DateTimeOffset.UtcNow;
        var stored = new StoredEvent[events.Length];
        var ends = new long[events.Length];
        var chunk = new ArrayBufferWriter<byte>(Math.Min(ChunkBytes, 1 << 16));
        var end = _end;
        try
        {
            await using var json = new Utf8JsonWriter(chunk);
            for (var i = 0; i < events.Length; i++)
            {
                var e = events[i];
                stored[i] = new StoredEvent(_written + 1 + i, e.Stream, e.Version, e.Event, now);
                EventLine.Write(json, chunk, stored[i], e.Type);
                ends[i] = end + chunk.WrittenCount;
                if (chunk.WrittenCount < ChunkBytes && i < events.Length - 1) continue;
                await RandomAccess.WriteAsync(_current.Handle, chunk.WrittenMemory, end);
                end += chunk.WrittenCount;
                chunk.ResetWrittenCount();
            }
        }
        catch
        {
            RandomAccess.SetLength(_current.Handle, _end); // whole lines of a part-written batch must not be read as events on the next open
            throw;
        }
        foreach (var e in events) _versions[e.Stream] = e.Version;
        _written += events.Length;
        _end = end;
        var batch = new Batch(stored, ends);
        if (_flush is not null) return (_written, _flush.Written(batch));
        Publish(batch);
        return (_written, Task.CompletedTask);
    }

    private void Publish(Batch batch)
    {
        foreach (var stored in batch.Events) _recent.Add(stored);
        _current.Index.Add(batch.Events, batch.Ends);
        Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();
    }

    /// <summary>The events of <paramref name="lines"/> (in log order): from memory if recent, else each run of adjacent ones read a chunk at a time.</summary>
    private async IAsyncEnumerable<StoredEvent> ReadAsync(Log log, Lines lines, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < lines.Count;)
        {
            if (_recent.At(lines.Positions[i]) is { } cached)
            {
                yield return cached;
                i++;
                continue;
            }
            var run = 1; // at least one line, however long
            while (i + run < lines.Count && lines.Starts[i + run] == lines.Ends[i + run - 1]
                   && lines.Ends[i + run] - lines.Starts[i] <= ReadChunk && _recent.At(lines.Positions[i + run]) is null) run++;
            foreach (var stored in await ReadLinesAsync(log.Handle, lines.Starts.AsMemory(i, run), lines.Ends[i + run - 1], cancellationToken))
                yield return stored;
            i += run;
        }
    }

    /// <param name="starts">where each of adjacent lines starts</param>
    /// <param name="end">where the last one ends.</param>
    private static async Task<StoredEvent[]> ReadLinesAsync(SafeFileHandle log, ReadOnlyMemory<long> starts, long end, CancellationToken cancellationToken)
    {
        var start = starts.Span[0];
        var length = (int)(end - start);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            for (var read = 0; read < length;)
            {
                var n = await RandomAccess.ReadAsync(log, buffer.AsMemory(read, length - read), start + read, cancellationToken);
                if (n == 0) throw new EndOfStreamException("The event log is shorter than its index: was it truncated while open?");
                read += n;
            }
            var lines = new StoredEvent[starts.Length];
            for (var i = 0; i < lines.Length; i++)
            {
                var lineEnd = i + 1 < lines.Length ? starts.Span[i + 1] : end;
                lines[i] = EventLine.Parse(buffer.AsSpan((int)(starts.Span[i] - start), (int)(lineEnd - starts.Span[i] - 1)));
            }
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

    /// <summary>The log file and its index, replaced together.</summary>
    private sealed record Log(SafeFileHandle Handle, LogIndex Index)
    {
        public static Log Open(string path, FileAccess access, FileShare share)
        {
            var handle = File.OpenHandle(path, access == FileAccess.Read ? FileMode.Open : FileMode.OpenOrCreate, access, share);
            return new Log(handle, LogIndex.Load(handle));
        }
    }

    private sealed record Unwritten(string Stream, long Version, IProcessEvent Event, string Type);

    /// <param name="Ends">where each event's line ends in the log.</param>
    private sealed record Batch(StoredEvent[] Events, long[] Ends);
}
