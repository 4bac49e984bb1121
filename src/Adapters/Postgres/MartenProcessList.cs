using Marten;
using Marten.Events.Aggregation;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// The process list as a Marten document per process (<see cref="ProcessProgress"/>), projected inline: written in the
/// same transaction as the events it counts, so the list is never behind the log, and a page is one indexed query.
/// </summary>
public sealed class MartenProcessList(IDocumentStore store) : IProcessList
{
    public async Task<ProcessPage> PageAsync(int page, int pageSize, CancellationToken cancellationToken = default, ProcessFilter? filter = null)
    {
        ProcessPage.Check(page, pageSize);
        await using var session = store.QuerySession();
        IQueryable<ProcessProgress> query = session.Query<ProcessProgress>();
        if (filter?.Graph is { } graph) query = query.Where(p => p.Graph == graph);
        if (filter?.Status is { } status) query = query.Where(p => p.Status == status);
        if (filter?.StartedFrom is { } from) query = query.Where(p => p.StartedAt >= from);
        if (filter?.StartedBefore is { } before) query = query.Where(p => p.StartedAt < before);
        // The document's id is the stream's (process-{id}); the text is looked for in the process's id part of it.
        if (filter?.IdContains is { } part) query = query.Where(p => p.Id.Contains(part));
        var total = await query.CountAsync(cancellationToken);
        var processes = await query
            .OrderByDescending(p => p.StartedAt).ThenBy(p => p.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        // Marten keys a stream's document by the stream (process-{id}); users know the process by its id.
        return new ProcessPage(processes.Select(p => p with { Id = ProcessStreams.ProcessOf(p.Id)?.Value ?? p.Id }).ToList(), total, page, pageSize);
    }

    /// <summary>Registers the projection and its index on the store's options.</summary>
    internal static void Configure(StoreOptions options)
    {
        options.Projections.Add(new Projection(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        options.Schema.For<ProcessProgress>().Index(p => p.StartedAt!);
    }

    /// <summary>Folds a process stream's events with <see cref="ProcessProgress.Fold"/>; other streams (schedules) get no document.</summary>
    private sealed class Projection : SingleStreamProjection<ProcessProgress, string>
    {
        public override ProcessProgress? Evolve(ProcessProgress? snapshot, string id, JasperFx.Events.IEvent e) =>
            e.Data is IProcessEvent processEvent ? ProcessProgress.Fold(snapshot, processEvent) : snapshot;
    }
}
