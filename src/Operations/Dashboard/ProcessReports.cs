using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Operations.Dashboard;

/// <summary>
/// One process as the dashboard shows it in detail (its steps and its timeline), folded from its stream like
/// <c>describe</c>, but kept between requests: a refresh reads only the stream's events since the last one, once for
/// both, so a page open on a large process does not replay it at every change. (The list of processes comes from the process list's projection.)
/// </summary>
public sealed class ProcessReports(IEventStore store)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Followed> _followed = new(StringComparer.Ordinal);

    /// <summary>What is kept of one process: its report and its timeline, fed by the same read of its stream.</summary>
    private sealed class Followed
    {
        public ProcessReport Report { get; } = new();
        public TaskTimeline Timeline { get; } = new();
    }

    public sealed record Detail(ProcessProgress Process, IReadOnlyList<StepProgress> Steps);

    /// <summary>One task of a step as the page lists it.</summary>
    public sealed record TaskRow(string Id, int Partition, int Attempt, Processes.TaskStatus Status, string? Worker, double? DurationMs, long? Rows, string? ReusedFrom, string? Item);

    /// <summary>A page of a step's tasks, in partition order (a step may have 100,000).</summary>
    public sealed record TaskPage(string Step, int Total, int Page, int Size, IReadOnlyList<TaskRow> Tasks);

    /// <summary>Page <paramref name="page"/> of a step's tasks, or null when there is no such process or step.</summary>
    public async Task<TaskPage?> TasksAsync(ProcessId id, string step, int page, int size, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await CatchUpAsync(id, cancellationToken) is not { Report: var report } || report.State.Steps.FirstOrDefault(s => s.Name == step) is not { } found) return null;
            var rows = found.ScheduledTasks.Skip((page - 1) * size).Take(size).Select(t => new TaskRow(t.Id.Value, t.Partition, t.Attempt, t.Status, t.Worker?.Value,
                t.Metrics?.Duration.TotalMilliseconds, t.Metrics?.RowsWritten, t.ReusedFrom?.Value, t.Item)).ToList();
            return new TaskPage(step, found.Scheduled, page, size, rows);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The process and its steps, or null when no process has this id.</summary>
    public async Task<Detail?> FindAsync(ProcessId id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await CatchUpAsync(id, cancellationToken) is { Report: var report } ? new Detail(report.Progress(), report.Steps()) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The process as it stood after its event <paramref name="version"/> (folded afresh: a past state is not kept), or null when no process has this id.</summary>
    public async Task<Detail?> AtAsync(ProcessId id, long version, CancellationToken cancellationToken)
    {
        var report = new ProcessReport();
        await foreach (var stored in store.ReadStreamAsync(ProcessStreams.StreamOf(id), 0, cancellationToken))
        {
            if (stored.Version > version) break;
            report.Apply(stored.Event);
        }
        return report.State.Status == Processes.ProcessStatus.NotStarted ? null : new Detail(report.Progress(), report.Steps());
    }

    /// <summary>The process's task attempts per worker (see <see cref="TaskTimeline.View"/>), or null when no process has this id.</summary>
    public async Task<TimelineView?> TimelineAsync(ProcessId id, int maxBars, int bins, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await CatchUpAsync(id, cancellationToken) is { } followed ? followed.Timeline.View(now, maxBars, bins) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Followed?> CatchUpAsync(ProcessId id, CancellationToken cancellationToken)
    {
        var stream = ProcessStreams.StreamOf(id);
        var followed = _followed.TryGetValue(stream, out var known) ? known : new Followed();
        await foreach (var stored in store.ReadStreamAsync(stream, followed.Report.Version, cancellationToken))
        {
            followed.Report.Apply(stored.Event);
            followed.Timeline.Apply(stored);
        }
        if (followed.Report.State.Status == Processes.ProcessStatus.NotStarted) return null;
        _followed[stream] = followed;
        return followed;
    }
}
