using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Retention;
using Orchestration.Runtime;

namespace Orchestration.Hosting.Retention;

/// <summary>
/// Retention: removes ended processes from the event store and deletes the blobs nothing else uses, keeping each
/// process's history as an archive in the blob store. Runs where the runtime runs (the embedded engine, the leading
/// orchestrator), because deleting is only safe beside the writers:
/// <list type="number">
/// <item>each process is archived through its mailbox (<see cref="ArchiveProcess"/>): refused unless it has ended, and
/// from then on it takes no command, so a retry cannot race the removal;</item>
/// <item>its history is written to the archive, then its events are removed;</item>
/// <item>the candidates are every blob its events name and everything under <c>tasks/{id}/</c> (outputs of attempts
/// that were never confirmed too); a candidate that a live process (running ones included) refers to, or a final
/// output (unless asked), is kept. Under the <see cref="ReuseGate"/>, the live references are read and the cache entries
/// of the blobs to delete dropped, so no reuse can confirm a blob deleted behind it;</item>
/// <item>what the log gained meanwhile is read once more before the blobs go, and the prune is recorded in the retention stream.</item>
/// </list>
/// </summary>
public sealed class Pruner(IEventStore events, IBlobStore? blobs, ITaskCache? cache, IProcessList processes, ProcessRuntime runtime, ReuseGate gate, TimeProvider clock)
{
    private const int ReadBatch = 5_000;

    /// <summary>Prunes what <paramref name="request"/> selects; throws <see cref="PruneRefusedException"/>, having deleted nothing, for a request that cannot be run.</summary>
    public async Task<PruneReport> PruneAsync(PruneRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Problem() is { } problem) throw new PruneRefusedException(problem);
        if (blobs is null)
            throw new PruneRefusedException("This orchestrator has no blob store configured (Orchestration__Blobs): a prune archives each process's history there first. Configure it, then prune again.");
        var chosen = await ChooseAsync(request, cancellationToken);
        var skipped = new List<string>();
        var pruned = new List<(ProcessState State, IReadOnlyList<StoredEvent> Events)>();
        var archives = new List<string>();
        foreach (var state in chosen)
        {
            if (!request.DryRun)
            {
                try { await runtime.SendAsync(new ArchiveProcess(state.Id, request.Reason)); }
                catch (DomainError refused) { skipped.Add(refused.Message); continue; } // it went on meanwhile (a retry): it stays
            }
            var history = await ReadAsync(ProcessStreams.StreamOf(state.Id), cancellationToken);
            var (name, bytes) = ProcessArchive.Write(state.Id, history);
            if (!request.DryRun) await blobs.PutAsync(name, new MemoryStream(bytes), rows: history.Count, cancellationToken);
            archives.Add(name);
            pruned.Add((state, history));
        }

        var (candidates, outputsKept) = await CandidatesAsync(pruned, request.Outputs, cancellationToken);
        Dictionary<string, BlobRef> doomed;
        long head;
        var dropped = 0;
        using (await gate.EnterAsync(cancellationToken))
        {
            var streams = pruned.Select(p => ProcessStreams.StreamOf(p.State.Id)).ToHashSet(StringComparer.Ordinal);
            (var live, head) = await LiveReferencesAsync(streams, 0, cancellationToken);
            doomed = candidates.Where(c => !live.Contains(c.Key)).ToDictionary();
            if (!request.DryRun && cache is not null) dropped = await cache.DropReferencingAsync(doomed.Values.Select(b => b.Uri).ToHashSet(), cancellationToken);
        }
        if (request.DryRun)
            return new PruneReport(pruned.Select(p => p.State.Id).ToList(), archives, pruned.Sum(p => p.Events.Count), doomed.Count,
                doomed.Values.Sum(b => b.Size), candidates.Count - doomed.Count + outputsKept, 0, skipped, DryRun: true);

        var removed = await events.DeleteStreamsAsync(pruned.Select(p => ProcessStreams.StreamOf(p.State.Id)).ToList(), cancellationToken);
        // A process that started meanwhile over the same inputs (named by their content) keeps them.
        var (since, _) = await LiveReferencesAsync(new HashSet<string>(), head, cancellationToken);
        long freed = 0;
        var deleted = 0;
        foreach (var name in doomed.Keys.Where(n => !since.Contains(n)))
        {
            var bytes = await blobs.DeleteAsync(name, cancellationToken);
            freed += bytes;
            deleted++;
        }
        var report = new PruneReport(pruned.Select(p => p.State.Id).ToList(), archives, removed, deleted, freed, candidates.Count - deleted + outputsKept, dropped, skipped, DryRun: false);
        if (pruned.Count > 0) await RecordAsync(report, request.Reason, cancellationToken);
        return report;
    }

    /// <summary>The named processes (each must exist and have ended, or nothing is pruned) and those the criteria select.</summary>
    private async Task<List<ProcessState>> ChooseAsync(PruneRequest request, CancellationToken cancellationToken)
    {
        var chosen = new Dictionary<ProcessId, ProcessState>();
        foreach (var id in request.Processes)
        {
            var state = await events.LoadAsync(id, cancellationToken);
            if (state.Status == ProcessStatus.NotStarted)
                throw new PruneRefusedException($"There is no process '{id}' in the event store (orch status lists them; a pruned one is only in the archive). Nothing was deleted.");
            if (!state.HasEnded)
                throw new PruneRefusedException(
                    $"Process {id} is {state.Status.ToString().ToLowerInvariant()}; only an ended process can be pruned. Wait for its end or cancel it (orch cancel {id}); nothing was deleted.");
            chosen[id] = state;
        }
        if (request.EndedBefore is null && request.KeepLast is null) return [.. chosen.Values];

        var ended = new List<ProcessProgress>();
        for (var page = 1; ; page++)
        {
            var listed = await processes.PageAsync(page, ProcessPage.MaxPageSize, cancellationToken);
            ended.AddRange(listed.Processes.Where(p => p.EndedAt is not null && p.Status is ProcessStatus.Completed or ProcessStatus.Failed or ProcessStatus.Cancelled));
            if (page >= listed.Pages) break;
        }
        var selected = ended.GroupBy(p => p.Graph, StringComparer.Ordinal)
            .SelectMany(graph => graph.OrderByDescending(p => p.EndedAt).Skip(request.KeepLast ?? 0))
            .Where(p => request.EndedBefore is not { } before || p.EndedAt < before);
        foreach (var progress in selected)
        {
            var id = ProcessId.From(progress.Id);
            if (chosen.ContainsKey(id)) continue;
            var state = await events.LoadAsync(id, cancellationToken);
            if (state.HasEnded) chosen[id] = state;
        }
        return [.. chosen.Values];
    }

    /// <summary>The blobs of this store that the pruned processes name or wrote, without the final outputs to keep (and how many those are).</summary>
    private async Task<(Dictionary<string, BlobRef> Candidates, int OutputsKept)> CandidatesAsync(List<(ProcessState State, IReadOnlyList<StoredEvent> Events)> pruned, bool outputs, CancellationToken cancellationToken)
    {
        var candidates = new Dictionary<string, BlobRef>(StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (state, history) in pruned)
        {
            foreach (var blob in history.SelectMany(e => BlobReferences.In(e.Event)))
                if (blobs!.NameOf(blob) is { } name) candidates.TryAdd(name, blob);
            if (!outputs) kept.UnionWith(state.Outputs.Select(o => blobs!.NameOf(o)).OfType<string>());
            // What its attempts wrote, confirmed or not: tasks/{process}/{step}/{partition}/a{attempt}/...
            var steps = state.Graph?.Steps.Select(s => s.Name).ToHashSet(StringComparer.Ordinal) ?? [];
            var prefix = $"tasks/{state.Id.Value}/";
            await foreach (var stored in blobs!.ListAsync(prefix, cancellationToken))
                if (steps.Contains(stored.Name[prefix.Length..].Split('/')[0]))
                    candidates.TryAdd(stored.Name, new BlobRef(stored.Uri, "", stored.Size, -1));
        }
        var outputsKept = kept.Count(candidates.Remove);
        return (candidates, outputsKept);
    }

    /// <summary>The names of this store's blobs that events after <paramref name="after"/> refer to, outside <paramref name="except"/>; and the head read up to.</summary>
    private async Task<(HashSet<string> Names, long Head)> LiveReferencesAsync(HashSet<string> except, long after, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var position = after;
        for (var batch = await events.ReadAllAsync(position, ReadBatch, cancellationToken); batch.Count > 0; batch = await events.ReadAllAsync(position, ReadBatch, cancellationToken))
        {
            foreach (var stored in batch)
                if (!except.Contains(stored.Stream))
                    foreach (var blob in BlobReferences.In(stored.Event))
                        if (blobs!.NameOf(blob) is { } name) names.Add(name);
            position = batch[^1].Position;
        }
        return (names, position);
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadAsync(string stream, CancellationToken cancellationToken)
    {
        var read = new List<StoredEvent>();
        await foreach (var stored in events.ReadStreamAsync(stream, 0, cancellationToken)) read.Add(stored);
        return read;
    }

    /// <summary>Appends the prune's record to the retention stream (another prune appending first: read its version again).</summary>
    private async Task RecordAsync(PruneReport report, string reason, CancellationToken cancellationToken)
    {
        var record = new ProcessesPruned(report.Pruned, report.EventsRemoved, report.BlobsDeleted, report.BytesFreed, report.CacheEntriesDropped, reason, clock.GetUtcNow());
        for (var tries = 0; ; tries++)
        {
            var version = (await ReadAsync(RetentionStream.Name, cancellationToken)).Count;
            try
            {
                await events.AppendAsync([new StreamAppend(RetentionStream.Name, version, [record])], cancellationToken);
                return;
            }
            catch (ConcurrencyException) when (tries < 5) { }
        }
    }
}
