using Orchestration.Ports;

namespace Orchestration.Runtime;

/// <summary>
/// A part of the orchestrator that acts on what the log says (dispatching, timing out, placing), fed by the one
/// <see cref="LogFollower"/>: it reads the shared <see cref="RuntimeView"/> and never reads the log itself.
/// </summary>
public interface IFollowerHandler
{
    /// <summary>Once, before the first batch: the view as restored from the checkpoint (empty on a first start).</summary>
    Task StartAsync(RuntimeView view, CancellationToken cancellationToken);

    /// <summary>After each batch is folded into the view (<paramref name="events"/> may be empty: a tick, for what comes due).</summary>
    Task HandleAsync(IReadOnlyList<StoredEvent> events, RuntimeView view, CancellationToken cancellationToken);

    /// <summary>How long the follower may wait for new events before this handler needs a tick (null: no need).</summary>
    TimeSpan? NextDue(RuntimeView view);
}

/// <summary>How the follower reads the log and how often it saves its checkpoint.</summary>
public sealed record FollowerOptions(int ReadBatch = 2_000, TimeSpan? IdleWait = null, TimeSpan? SaveEvery = null)
{
    public TimeSpan Idle => IdleWait ?? TimeSpan.FromSeconds(1);
    public TimeSpan Save => SaveEvery ?? TimeSpan.FromSeconds(5);
}

/// <summary>
/// The orchestrator's one reader of the global log: it folds every event into the <see cref="RuntimeView"/> and then
/// hands each batch to its handlers, in order, on one loop (so the view needs no locks). It saves its position with the
/// view every few seconds, and when it stops: a restart resumes there, never from position 0. A checkpoint is saved only
/// after the handlers acted on everything before it, so after a crash an event may be acted on twice (a task sent
/// twice, which the aggregate drops), never missed. A sharded deployment runs one per shard its orchestrator owns, each
/// reading only its <see cref="Shard"/>'s streams and keeping its own checkpoint.
/// </summary>
public sealed class LogFollower(IEventStore store, ICheckpointStore checkpoints, IReadOnlyList<IFollowerHandler> handlers, TimeProvider clock,
    FollowerOptions? options = null, Shard? shard = null)
{
    private readonly Shard _shard = shard ?? Shard.All;

    public const string CheckpointName = "orchestrator";

    private readonly FollowerOptions _options = options ?? new FollowerOptions();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RuntimeView _view = new();
    private TimeSpan _saveEvery = TimeSpan.Zero;

    /// <summary>Completes once the follower has read up to the head the log had when it started: the orchestrator is ready.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>The position read and handled up to.</summary>
    public long Position => Volatile.Read(ref _view).Position;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var view = RuntimeView.Restore(await checkpoints.LoadAsync(_shard.CheckpointName, cancellationToken));
        Volatile.Write(ref _view, view);
        foreach (var handler in handlers) await handler.StartAsync(view, cancellationToken);
        var head = await store.HeadAsync(cancellationToken);
        _saveEvery = _options.Save;
        var saved = (Position: view.Position, At: clock.GetUtcNow());
        var handled = view.Position; // the view may be saved only where every handler has acted on all it holds
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var page = await store.ReadShardAsync(view.Position, _options.ReadBatch, _shard, cancellationToken);
                foreach (var stored in page.Events) view.Apply(stored);
                view.ReadThrough(page.Through);
                foreach (var handler in handlers) await handler.HandleAsync(page.Events, view, cancellationToken);
                handled = view.Position;
                if (view.Position >= head) _caughtUp.TrySetResult();
                if (view.Position != saved.Position && clock.GetUtcNow() - saved.At >= _saveEvery)
                    saved = await SaveAsync(view, cancellationToken);
                if (!page.More)
                    await store.WaitForEventsAsync(view.Position, NextWait(view), cancellationToken);
            }
        }
        finally
        {
            if (handled == view.Position && view.Position != saved.Position) await SaveAsync(view, CancellationToken.None);
        }
    }

    private async Task<(long, DateTimeOffset)> SaveAsync(RuntimeView view, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await checkpoints.SaveAsync(_shard.CheckpointName, view.Position, view.SaveAsync, cancellationToken);
        // A view of many open attempts takes long to save: saving then spends at most about 2 % of the follower's time.
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        _saveEvery = took * 50 > _options.Save ? took * 50 : _options.Save;
        return (view.Position, clock.GetUtcNow());
    }

    private TimeSpan NextWait(RuntimeView view)
    {
        var wait = _options.Idle;
        foreach (var handler in handlers)
            if (handler.NextDue(view) is { } due && due < wait) wait = due;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
