namespace Orchestration.Runtime;

/// <summary>
/// Keeps a prune from deleting what a reuse is about to confirm: the memoizer holds the gate from looking a batch up to
/// having its reuses recorded, and a prune holds it while it reads which blobs are still referenced and drops the cache
/// entries of those it will delete. A reuse is then either in the log the prune reads, or looks up after the entries
/// are gone; never a confirmation of outputs deleted behind it.
/// </summary>
public sealed class ReuseGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Exit(_gate);
    }

    private sealed class Exit(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release();
        }
    }
}
