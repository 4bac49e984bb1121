using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>How the dispatcher reads the log: events per read, and how long it waits when there is nothing new.</summary>
public sealed record DispatcherOptions(int ReadBatch = 2_000, TimeSpan? IdleWait = null)
{
    public TimeSpan Idle => IdleWait ?? TimeSpan.FromSeconds(1);
}

/// <summary>
/// Follows the event store by global position and turns each <see cref="TaskScheduled"/> into a
/// <see cref="RunTask"/> on the task queue, holding back attempts whose backoff has not passed. Only stored
/// events are ever dispatched. Its checkpoint never passes an event it has not sent, so after a crash a task
/// may be sent twice, never lost. With an in-memory queue (lost on restart) it instead starts by sending
/// again every attempt that is still open. A task placed on any worker matching a selector goes to the least busy
/// matching live worker of <paramref name="workers"/>; while none is live it is held back and tried again. If the
/// chosen worker drops out of the registry before the attempt is confirmed, the attempt is sent to another one: only
/// that worker reads its queue, so the task would otherwise wait there its whole queue timeout (a copy run twice is
/// harmless, the second confirmation is dropped).
/// </summary>
public sealed class Dispatcher(IEventStore store, ICheckpointStore checkpoints, ITaskQueue queue, TimeProvider clock, RuntimeCounters counters,
    DispatcherOptions? options = null, WorkerRegistry? workers = null)
{
    public const string CheckpointName = "dispatcher";

    private readonly DispatcherOptions _options = options ?? new DispatcherOptions();
    private readonly RunTaskFactory _factory = new(store);
    private readonly PriorityQueue<Outgoing, DateTimeOffset> _backingOff = new();
    private readonly WorkerChooser _chooser = new();
    private readonly SortedSet<long> _heldPositions = [];
    // Attempts sent to a worker the dispatcher chose, until confirmed, superseded or their process ends.
    private readonly Dictionary<TaskId, (Outgoing Task, WorkerId Worker)> _onChosenWorker = [];

    private long _position = -1;

    /// <summary>The global position the dispatcher has read and handled up to; -1 before it starts.</summary>
    public long Position => Interlocked.Read(ref _position);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var position = queue.IsDurable
            ? await checkpoints.LoadAsync(CheckpointName, cancellationToken)
            : await ResendOpenAttemptsAsync(cancellationToken);
        Interlocked.Exchange(ref _position, position);
        var saved = position;
        while (!cancellationToken.IsCancellationRequested)
        {
            var events = await store.ReadAllAsync(position, _options.ReadBatch, cancellationToken);
            var ready = new List<Outgoing>();
            foreach (var stored in events)
                await TakeAsync(stored, ready, cancellationToken);
            TakeDue(ready);
            TakeBackFromLostWorkers(ready);
            await SendAsync(ready, cancellationToken);
            if (events.Count > 0) position = events[^1].Position;

            // Never past an event not yet sent: a held-back retry is read again after a restart.
            var checkpoint = _heldPositions.Count > 0 ? Math.Min(_heldPositions.Min - 1, position) : position;
            if (checkpoint != saved && queue.IsDurable)
                await checkpoints.SaveAsync(CheckpointName, saved = checkpoint, CancellationToken.None);
            Interlocked.Exchange(ref _position, position);
            if (events.Count < _options.ReadBatch)
                await store.WaitForEventsAsync(position, NextWait(), cancellationToken);
        }
    }

    private async Task TakeAsync(StoredEvent stored, List<Outgoing> ready, CancellationToken cancellationToken)
    {
        _factory.Observe(stored.Event);
        ForgetSettled(stored.Event);
        if (stored.Event is not TaskScheduled scheduled) return;
        if (await _factory.BuildAsync(scheduled, stored.Position, cancellationToken) is not { } task) return;
        if (scheduled.NotBefore <= clock.GetUtcNow()) ready.Add(task);
        else Hold(task, scheduled.NotBefore);
    }

    private void Hold(Outgoing task, DateTimeOffset until)
    {
        _backingOff.Enqueue(task, until);
        _heldPositions.Add(task.Position);
    }

    private void TakeDue(List<Outgoing> ready)
    {
        var now = clock.GetUtcNow();
        while (_backingOff.TryPeek(out var held, out var due) && due <= now)
        {
            _backingOff.Dequeue();
            _heldPositions.Remove(held.Position);
            ready.Add(held);
        }
    }

    private void ForgetSettled(IProcessEvent e)
    {
        if (_onChosenWorker.Count == 0) return;
        switch (e)
        {
            case TaskConfirmed confirmed: _onChosenWorker.Remove(confirmed.TaskId); break;
            case TaskScheduled next: _onChosenWorker.Remove(next.TaskId); break; // a new attempt: the old one no longer counts
            case ProcessCompleted or ProcessFailed or ProcessCancelled:
                foreach (var (id, sent) in _onChosenWorker)
                    if (sent.Task.Task.ProcessId == e.ProcessId) _onChosenWorker.Remove(id);
                break;
        }
    }

    /// <summary>The open attempts sent to chosen workers that are no longer live: to be sent again, to a live one.</summary>
    private void TakeBackFromLostWorkers(List<Outgoing> ready)
    {
        if (_onChosenWorker.Count == 0 || workers is null) return;
        // Gone, or back under the same name without the task's C# step version (a rolling deploy): another must take it.
        var live = workers.Live().ToDictionary(w => w.Id);
        foreach (var (id, sent) in _onChosenWorker)
        {
            if (live.TryGetValue(sent.Worker, out var worker) && sent.Task.Task.Work.IsRunnableWith(worker.Steps)) continue;
            _onChosenWorker.Remove(id);
            ready.Add(sent.Task);
            counters.HandOn();
        }
    }

    private async Task SendAsync(List<Outgoing> outgoing, CancellationToken cancellationToken)
    {
        var ready = Addressed(outgoing);
        if (ready.Count == 0) return;
        if (EngineTelemetry.Source.HasListeners()) await DispatchSpans.SendAsync(queue, ready, cancellationToken);
        else await queue.SendAsync(ready, cancellationToken);
        counters.Dispatch(ready.Count);
    }

    /// <summary>
    /// The tasks to send now. A task placed on any worker with one label goes to that label's queue; one placed by a
    /// wider selector goes to the least busy matching live worker; those with none live wait a while.
    /// </summary>
    private List<RunTask> Addressed(List<Outgoing> outgoing)
    {
        if (workers is null || outgoing.All(o => o.AnyOf is null)) return outgoing.Select(o => o.Task).ToList();
        var live = workers.Live();
        var ready = new List<RunTask>(outgoing.Count);
        foreach (var task in outgoing)
        {
            if (task.AnyOf is null) ready.Add(task.Task);
            // One label: the workers that have it compete on its queue (and a task there waits for one to come). Not for a
            // C# step: a worker with the label may lack the step's version, so one that has both is chosen instead.
            else if (task.AnyOf.SingleLabel is { } label && task.Task.Work.Kind != WorkKind.Code) ready.Add(task.Task with { Label = $"{label.Key}={label.Value}" });
            else if (_chooser.Choose(task.AnyOf, task.Task.Work, live) is { } worker)
            {
                ready.Add(task.Task with { Worker = worker });
                _onChosenWorker[task.Task.TaskId] = (task, worker);
            }
            else Hold(task, clock.GetUtcNow() + _options.Idle); // its attempt times out if none comes back: then the aggregate decides
        }
        return ready;
    }

    private TimeSpan NextWait()
    {
        if (!_backingOff.TryPeek(out _, out var due)) return _options.Idle;
        var untilDue = due - clock.GetUtcNow();
        return untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < _options.Idle ? untilDue : _options.Idle;
    }

    /// <summary>Reads the whole history, then sends every attempt still open at its end; returns the head position.</summary>
    private async Task<long> ResendOpenAttemptsAsync(CancellationToken cancellationToken)
    {
        var open = new Dictionary<TaskId, (TaskScheduled Event, long Position)>();
        var ended = new HashSet<ProcessId>();
        long position = 0;
        while (true)
        {
            var events = await store.ReadAllAsync(position, _options.ReadBatch, cancellationToken);
            if (events.Count == 0) break;
            foreach (var stored in events)
            {
                _factory.Observe(stored.Event);
                switch (stored.Event)
                {
                    case TaskScheduled s: open[s.TaskId] = (s, stored.Position); break;
                    case TaskConfirmed c: open.Remove(c.TaskId); break;
                    case ProcessCompleted or ProcessFailed or ProcessCancelled: ended.Add(stored.Event.ProcessId); break;
                }
            }
            position = events[^1].Position;
        }
        var ready = new List<Outgoing>();
        foreach (var (scheduled, at) in open.Values.Where(o => !ended.Contains(o.Event.ProcessId)).OrderBy(o => o.Position))
            await TakeAsync(new StoredEvent(at, scheduled.ProcessId.Value, 0, scheduled, clock.GetUtcNow()), ready, cancellationToken);
        await SendAsync(ready, cancellationToken);
        return position;
    }
}
