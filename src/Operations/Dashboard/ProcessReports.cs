using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Operations.Dashboard;

/// <summary>
/// The processes as the dashboard shows them, folded from the event store like <c>orch status</c> and <c>describe</c>,
/// but kept between requests: a poll reads only each stream's events since the last one, so a page open on a large
/// process does not replay it every two seconds.
/// </summary>
public sealed class ProcessReports(IEventStore store)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ProcessReport> _reports = new(StringComparer.Ordinal);

    public sealed record Detail(ProcessProgress Process, IReadOnlyList<StepProgress> Steps);

    public async Task<IReadOnlyList<ProcessProgress>> AllAsync(CancellationToken cancellationToken)
    {
        var streams = await store.StreamsAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var all = new List<ProcessProgress>();
            foreach (var stream in streams.Where(s => ProcessStreams.ProcessOf(s.Stream) is not null))
                if (await CatchUpAsync(stream.Stream, cancellationToken) is { } report) all.Add(report.Progress());
            return all.OrderByDescending(p => p.StartedAt).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
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
            return await CatchUpAsync(ProcessStreams.StreamOf(id), cancellationToken) is { } report ? new Detail(report.Progress(), report.Steps()) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ProcessReport?> CatchUpAsync(string stream, CancellationToken cancellationToken)
    {
        var report = _reports.TryGetValue(stream, out var known) ? known : new ProcessReport();
        await foreach (var stored in store.ReadStreamAsync(stream, report.Version, cancellationToken))
            report.Apply(stored.Event);
        if (report.State.Status == Processes.ProcessStatus.NotStarted) return null;
        _reports[stream] = report;
        return report;
    }
}
