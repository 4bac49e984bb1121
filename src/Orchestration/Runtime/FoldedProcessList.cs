using System.Text.Json;
using Orchestration.Ports;
using Orchestration.Storage;

namespace Orchestration.Runtime;

/// <summary>
/// The process list of a store without projections of its own (the embedded file log): every process's
/// <see cref="ProcessProgress"/> folded from the log and kept between requests, so a later page reads only the events
/// since. With a <paramref name="snapshotFile"/>, the list starts from the one saved there (by the engine, see
/// <see cref="SaveAsync"/>) and folds only the log after it: a new <c>orch status</c> does not read the whole log.
/// </summary>
public sealed class FoldedProcessList(IEventStore store, string? snapshotFile = null) : IProcessList
{
    private const int ReadBatch = 5_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ProcessProgress> _byStream = new(StringComparer.Ordinal);
    private long _position;
    private long _saved = -1;
    private bool _loaded;
    private string? _logIdentity;

    public async Task<ProcessPage> PageAsync(int page, int pageSize, CancellationToken cancellationToken = default, ProcessFilter? filter = null)
    {
        ProcessPage.Check(page, pageSize);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await CatchUpAsync(cancellationToken);
            var matching = _byStream.Values.Where(p => filter?.Matches(p) ?? true).ToList();
            var newestFirst = matching.OrderByDescending(p => p.StartedAt).ThenBy(p => p.Id, StringComparer.Ordinal);
            return new ProcessPage(newestFirst.Skip((page - 1) * pageSize).Take(pageSize).ToList(), matching.Count, page, pageSize);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Folds the log up to its head and writes the list to the snapshot file (atomically), when it moved since the last save.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        if (snapshotFile is null) return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await CatchUpAsync(cancellationToken);
            if (_position == _saved || _logIdentity is null) return;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(snapshotFile))!);
            var temporary = snapshotFile + ".tmp";
            await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(new Snapshot(_logIdentity, _position, _byStream.Values.ToList()), EventSerializer.Options), cancellationToken);
            File.Move(temporary, snapshotFile, overwrite: true);
            _saved = _position;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (!_loaded) await LoadAsync(cancellationToken);
        for (var events = await store.ReadAllAsync(_position, ReadBatch, cancellationToken); events.Count > 0;
             events = await store.ReadAllAsync(_position, ReadBatch, cancellationToken))
        {
            foreach (var stored in events)
                if (stored.Event is Retention.ProcessesPruned pruned)
                    foreach (var process in pruned.Processes) _byStream.Remove(ProcessStreams.StreamOf(process));
                else if (ProcessStreams.ProcessOf(stored.Stream) is not null && ProcessProgress.Fold(_byStream.GetValueOrDefault(stored.Stream), stored.Event) is { } next)
                    _byStream[stored.Stream] = next;
            _position = events[^1].Position;
        }
    }

    /// <summary>Starts from the snapshot when it belongs to this log (same first event) and is not ahead of it (a log cut back after a crash).</summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        _loaded = true;
        var first = await store.ReadAllAsync(0, 1, cancellationToken);
        _logIdentity = first.Count == 0 ? null : $"{first[0].Stream}@{first[0].RecordedAt:O}";
        if (snapshotFile is null || _logIdentity is null || !File.Exists(snapshotFile)) return;
        Snapshot? snapshot;
        try { snapshot = JsonSerializer.Deserialize<Snapshot>(await File.ReadAllBytesAsync(snapshotFile, cancellationToken), EventSerializer.Options); }
        catch (JsonException) { return; } // damaged: fold the log instead
        if (snapshot is null || snapshot.Log != _logIdentity || snapshot.Position > await store.HeadAsync(cancellationToken)) return;
        foreach (var process in snapshot.Processes) _byStream[ProcessStreams.StreamOf(Contracts.ProcessId.From(process.Id))] = process;
        _position = _saved = snapshot.Position;
    }

    private sealed record Snapshot(string Log, long Position, List<ProcessProgress> Processes);
}
