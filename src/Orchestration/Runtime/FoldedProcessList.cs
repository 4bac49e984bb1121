using Orchestration.Ports;

namespace Orchestration.Runtime;

/// <summary>
/// The process list of a store without projections of its own (the embedded file log): one pass over the log folds
/// every process's <see cref="ProcessProgress"/>, kept between requests, so a later page reads only the events since.
/// </summary>
public sealed class FoldedProcessList(IEventStore store) : IProcessList
{
    private const int ReadBatch = 5_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ProcessProgress> _byStream = new(StringComparer.Ordinal);
    private long _position;

    public async Task<ProcessPage> PageAsync(int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ProcessPage.Check(page, pageSize);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var events = await store.ReadAllAsync(_position, ReadBatch, cancellationToken); events.Count > 0;
                 events = await store.ReadAllAsync(_position, ReadBatch, cancellationToken))
            {
                foreach (var stored in events)
                    if (ProcessStreams.ProcessOf(stored.Stream) is not null && ProcessProgress.Fold(_byStream.GetValueOrDefault(stored.Stream), stored.Event) is { } next)
                        _byStream[stored.Stream] = next;
                _position = events[^1].Position;
            }
            var newestFirst = _byStream.Values.OrderByDescending(p => p.StartedAt).ThenBy(p => p.Id, StringComparer.Ordinal);
            return new ProcessPage(newestFirst.Skip((page - 1) * pageSize).Take(pageSize).ToList(), _byStream.Count, page, pageSize);
        }
        finally
        {
            _gate.Release();
        }
    }
}
