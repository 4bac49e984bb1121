using System.Threading.Channels;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.Workers;

/// <summary>
/// One sandboxed DuckDB instance per concurrent task slot of a worker, each with its own scratch directory,
/// opened once and reused: a task pays for a connection, not for a new database.
/// </summary>
public sealed class SandboxPool : IDisposable
{
    private readonly Channel<SqlSandbox> _free = Channel.CreateUnbounded<SqlSandbox>();
    private readonly List<SqlSandbox> _all = [];
    private readonly Lock _gate = new();
    private readonly string _root;
    private readonly int _slots;
    private readonly SandboxOptions? _options;
    private readonly HashSet<Task> _background = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The slots' scratch roots are <c>slot-N</c> under <paramref name="scratchRoot"/>; beside them, <c>compacted</c> holds their <see cref="Compacted"/>.</summary>
    public SandboxPool(string scratchRoot, int slots, SandboxOptions? options = null)
    {
        (_root, _slots, _options) = (scratchRoot, Math.Max(1, slots), options);
        Compacted = new CompactedPartials(Path.Combine(scratchRoot, "compacted"));
    }

    /// <summary>
    /// The slots' shared store of compacted inputs: beside their scratch roots, never inside one, so a step's SQL reads
    /// the groups of its own inputs (linked into its task directory) and no other process's.
    /// </summary>
    public CompactedPartials Compacted { get; }

    public async ValueTask<SqlSandbox> RentAsync(CancellationToken cancellationToken)
    {
        if (_free.Reader.TryRead(out var sandbox)) return sandbox;
        lock (_gate)
        {
            if (_all.Count < _slots)
            {
                sandbox = new SqlSandbox(Path.Combine(_root, $"slot-{_all.Count}"), _options);
                _all.Add(sandbox);
                return sandbox;
            }
        }
        return await _free.Reader.ReadAsync(cancellationToken);
    }

    public void Return(SqlSandbox sandbox) => _free.Writer.TryWrite(sandbox);

    /// <summary>
    /// Returns <paramref name="sandbox"/> once <paramref name="work"/> has run on it, in the background: work a task's
    /// outcome need not wait for (compacting the inputs it read, for the next task). A failure of it is dropped, since
    /// such work only saves time later; stopping the pool interrupts it through its token and waits for it.
    /// </summary>
    public void ReturnAfter(SqlSandbox sandbox, Action<SqlSandbox, CancellationToken> work)
    {
        Task running;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested) { Return(sandbox); return; }
            running = Task.Run(() =>
            {
                try { work(sandbox, _stopping.Token); }
                catch (Exception) { } // interrupted by the stop, or the disk would not have it: only time is lost
                finally { Return(sandbox); }
            });
            _background.Add(running);
        }
        running.ContinueWith(done => { lock (_gate) _background.Remove(done); }, TaskScheduler.Default);
    }

    /// <summary>Completes once the background work started so far (<see cref="ReturnAfter"/>) has ended.</summary>
    public Task SettledAsync()
    {
        lock (_gate) return Task.WhenAll(_background);
    }

    public void Dispose()
    {
        Task[] running;
        lock (_gate)
        {
            _stopping.Cancel();
            running = [.. _background];
        }
        Task.WaitAll(running); // each ends at its next step once interrupted: a sandbox is never closed under it
        lock (_gate) foreach (var sandbox in _all) sandbox.Dispose();
    }
}
