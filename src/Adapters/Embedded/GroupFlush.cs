namespace Orchestration.Adapters.Embedded;

/// <summary>
/// Fsyncs the log for appenders as a group, on a thread of its own rather than theirs: one fsync covers every batch
/// written before it began, and appenders that write meanwhile wait for the next, instead of each holding the writer
/// lock through a flush of its own. Batches are published (shown to readers) in write order and only once flushed,
/// so what a follower acts on survives a crash.
/// </summary>
internal sealed class GroupFlush<TBatch>(Action flushToDisk, Action<TBatch> publish)
{
    private readonly Lock _gate = new();
    private List<(TBatch Batch, TaskCompletionSource Durable)> _written = [];
    private bool _flushing;
    private Exception? _failure;

    /// <summary>To call in write order, once the batch's bytes are written. Completes when they are on disk and published.</summary>
    public Task Written(TBatch batch)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_failure is not null) return Task.FromException(Failed());
            _written.Add((batch, durable));
            if (_flushing) return durable.Task;
            _flushing = true;
        }
        _ = Task.Run(FlushWritten);
        return durable.Task;
    }

    /// <summary>
    /// After a failed fsync it is unknown what reached the disk (and a later fsync may report success for pages the
    /// kernel dropped), so the log takes no more appends: reopening it reads what is really there.
    /// </summary>
    public void ThrowIfFailed()
    {
        lock (_gate)
            if (_failure is not null) throw Failed();
    }

    private void FlushWritten()
    {
        while (true)
        {
            List<(TBatch Batch, TaskCompletionSource Durable)> covered;
            lock (_gate)
            {
                if (_written.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                (covered, _written) = (_written, []);
            }
            try
            {
                flushToDisk();
                foreach (var (batch, _) in covered) publish(batch);
            }
            catch (Exception e)
            {
                Fail(covered, e);
                return;
            }
            foreach (var (_, durable) in covered) durable.SetResult();
        }
    }

    private void Fail(List<(TBatch Batch, TaskCompletionSource Durable)> covered, Exception e)
    {
        lock (_gate)
        {
            _failure = e;
            covered.AddRange(_written);
            _written = [];
            _flushing = false;
        }
        foreach (var (_, durable) in covered) durable.SetException(Failed());
    }

    private IOException Failed() =>
        new("The event log could not be flushed to disk, so it takes no more appends. Restart the process to reopen it.", _failure);
}
