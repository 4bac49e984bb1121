using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// How long the dispatcher waits before trying again a task whose workers are all away, and how many of one step's
/// attempts it keeps in the task queue at once (<paramref name="Window"/>, default 10,000).
/// </summary>
public sealed record DispatcherOptions(TimeSpan? IdleWait = null, int? Window = null)
{
    public TimeSpan Idle => IdleWait ?? TimeSpan.FromSeconds(1);

    /// <summary>
    /// A step of a million tasks is scheduled as one batch, but sending it all at once would hold a million messages in
    /// the queue (in memory, for the embedded engine's transport). Far more than any pool of workers takes at once, so
    /// throughput does not suffer.
    /// </summary>
    public int StepWindow => Window ?? 10_000;
}

/// <summary>
/// Turns each <see cref="TaskScheduled"/> the follower reads into a <see cref="RunTask"/> on the task queue, holding back
/// attempts whose backoff has not passed. Only stored events are dispatched, and only attempts still open once their
/// batch is folded (one confirmed in the same batch is not sent). An attempt is marked sent in the view, which the
/// follower's checkpoint saves: after a restart the held-back ones are held again and, with an in-memory queue (lost on
/// restart), every open attempt is sent again. A task placed on any worker matching a selector goes to the least busy
/// matching live worker of <paramref name="workers"/>; while none is live it is held back and tried again. If the chosen
/// worker drops out of the registry before the attempt is confirmed, the attempt is sent to another one: only that
/// worker reads its queue, so the task would otherwise wait there its whole queue timeout (a copy run twice is harmless,
/// the second confirmation is dropped). At most <see cref="DispatcherOptions.StepWindow"/> of a step's attempts are in
/// the queue at once; the others wait here, recorded and open, and go as those sent close.
/// </summary>
/// <param name="memoizer">Where tasks of steps that reuse results are looked up before they are sent; null for no reuse.</param>
public sealed class Dispatcher(ITaskQueue queue, TimeProvider clock, RuntimeCounters counters, DispatcherOptions? options = null, WorkerRegistry? workers = null,
    Memoizer? memoizer = null)
    : IFollowerHandler
{
    private readonly DispatcherOptions _options = options ?? new DispatcherOptions();
    private readonly RunTaskFactory _factory = new();
    private readonly PriorityQueue<OpenAttempt, DateTimeOffset> _backingOff = new();
    private readonly WorkerChooser _chooser = new();
    // Attempts sent to a worker the dispatcher chose, until they are no longer open.
    private readonly Dictionary<TaskId, OpenAttempt> _onChosenWorker = [];
    // Stragglers with a copy: the first of the two confirmed wins, and the other is stopped where it runs.
    private readonly Dictionary<TaskId, (ProcessId Process, int Straggler, int Copy)> _copied = [];
    private List<OpenAttempt> _restored = [];
    // Per step of a running process: its attempts in the task queue, and those held back until some of them close.
    private readonly Dictionary<(ProcessId Process, string Step), StepWindow> _windows = [];
    private readonly Dictionary<TaskId, OpenAttempt> _inQueue = [];

    public Task StartAsync(RuntimeView view, CancellationToken cancellationToken)
    {
        _backingOff.Clear();
        _onChosenWorker.Clear();
        _windows.Clear();
        _inQueue.Clear();
        // Taken with the first batch, once the events since the checkpoint are folded: an attempt confirmed since is not sent.
        _restored = [];
        foreach (var attempt in view.OpenAttempts.OrderBy(a => a.Position))
        {
            if (attempt.Sent && queue.IsDurable)
            {
                if (attempt.Worker is not null) _onChosenWorker[attempt.Task] = attempt;
                Queued(attempt); // still in the broker's queue: it counts in its step's window
            }
            else _restored.Add(attempt); // held back before the restart, or lost with an in-memory queue
        }
        return Task.CompletedTask;
    }

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RuntimeView view, CancellationToken cancellationToken)
    {
        var ready = new List<OpenAttempt>();
        foreach (var attempt in _restored)
            if (attempt.IsOpen) Take(attempt, ready);
        _restored.Clear();
        foreach (var stored in events)
            if (stored.Event is TaskScheduled scheduled && view.Open(scheduled.TaskId) is { } open && open.Attempt == scheduled.Attempt && !open.Sent)
                Take(open, ready);
        TakeDue(ready);
        var (toRun, built, reusing) = await StartReusingAsync(ready, view, cancellationToken);
        var slots = workers?.Live().Sum(w => w.Slots) ?? 0;
        ready = Windowed(toRun, events, slots);
        TakeBackFromLostWorkers(ready, view);
        await SendAsync(ready, view, slots, cancellationToken, built);
        ReleaseUnsent();
        if (reusing is not null) await SendAsync((await reusing).Select(r => r.Attempt).ToList(), view, slots, cancellationToken, built); // refused: they run
        await StopLosingCopiesAsync(events, cancellationToken);
        // A cancelled process's tasks are stopped where they run and skipped where they wait; a paused one's are only skipped.
        foreach (var stored in events)
        {
            var stop = stored.Event switch
            {
                ProcessCancelled c => new StopProcessTasks(c.ProcessId, c.Reason, stored.Position),
                ProcessPaused p => new StopProcessTasks(p.ProcessId, p.Reason, stored.Position, KeepRunning: true),
                _ => null,
            };
            if (stop is not null) await queue.StopAsync(stop, cancellationToken);
        }
    }

    /// <summary>
    /// Of a straggler and its copy, the one not confirmed is stopped on its worker (or skipped if still queued). Tracked from
    /// the copies this dispatcher saw scheduled: after a restart, a loser runs on and its result is dropped as late.
    /// </summary>
    private async Task StopLosingCopiesAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        foreach (var stored in events)
        {
            switch (stored.Event)
            {
                case TaskScheduled { CopyOf: { } straggler } copy:
                    _copied[copy.TaskId] = (copy.ProcessId, straggler, copy.Attempt);
                    break;
                case TaskScheduled retry:
                    _copied.Remove(retry.TaskId); // a later attempt: both copies are late now
                    break;
                case TaskConfirmed confirmed when _copied.Remove(confirmed.TaskId, out var pair):
                    var loser = confirmed.Attempt == pair.Copy ? pair.Straggler : pair.Copy;
                    await queue.StopAsync(new StopProcessTasks(pair.Process, $"attempt {confirmed.Attempt} of the task was confirmed first", Task: confirmed.TaskId, Attempt: loser), cancellationToken);
                    break;
                case ProcessCompleted or ProcessFailed or ProcessCancelled when _copied.Count > 0:
                    foreach (var (task, pair) in _copied)
                        if (pair.Process == stored.Event.ProcessId) _copied.Remove(task); // its end stops both, or leaves them to be dropped
                    break;
            }
        }
    }

    /// <summary>
    /// Frees the window places of attempts that closed in <paramref name="events"/>, then lets through the ready ones (and
    /// those held back before) while their step's window has room; the rest wait, first come first sent.
    /// </summary>
    private List<OpenAttempt> Windowed(List<OpenAttempt> ready, IReadOnlyList<StoredEvent> events, int slots)
    {
        foreach (var stored in events)
        {
            // A confirmation closes an attempt, and so does a new attempt of the same task.
            var closing = stored.Event switch { TaskConfirmed c => c.TaskId, TaskScheduled s => s.TaskId, _ => (TaskId?)null };
            if (closing is { } id && _inQueue.TryGetValue(id, out var queued) && !queued.IsOpen)
            {
                _inQueue.Remove(id);
                if (_windows.TryGetValue(KeyOf(queued), out var window))
                {
                    window.InQueue.Remove(id);
                    if (stored.Event is TaskConfirmed { ReusedFrom: null } confirmed) window.Packing.Ran(confirmed.Metrics.Duration);
                }
            }
            if (stored.Event is ProcessCompleted or ProcessFailed or ProcessCancelled)
                foreach (var key in _windows.Keys.Where(k => k.Process == stored.Event.ProcessId).ToList())
                {
                    foreach (var task in _windows[key].InQueue) _inQueue.Remove(task);
                    _windows.Remove(key);
                }
        }
        foreach (var attempt in ready) WindowOf(attempt).Held.Enqueue(attempt);
        var admitted = new List<OpenAttempt>(ready.Count);
        var now = clock.GetUtcNow();
        foreach (var window in _windows.Values)
            while (window.Places < window.Packing.Window(_options.StepWindow, slots, now) && window.Held.TryDequeue(out var next))
                if (next.IsOpen && window.Admitted.Add(next.Task)) admitted.Add(next); // a place taken now, so one batch never overfills it
        return admitted;
    }

    /// <summary>An attempt sent: it holds its place in its step's window until it closes.</summary>
    private void Queued(OpenAttempt attempt)
    {
        var window = WindowOf(attempt);
        window.Admitted.Remove(attempt.Task);
        window.InQueue.Add(attempt.Task);
        _inQueue[attempt.Task] = attempt;
    }

    /// <summary>Admitted attempts not sent after all (no live worker yet, or reused from the cache) give their places back.</summary>
    private void ReleaseUnsent()
    {
        foreach (var window in _windows.Values) window.Admitted.Clear();
    }

    private static (ProcessId Process, string Step) KeyOf(OpenAttempt attempt) => (attempt.Scheduled.ProcessId, attempt.Scheduled.Step);

    private StepWindow WindowOf(OpenAttempt attempt)
    {
        var key = KeyOf(attempt);
        if (!_windows.TryGetValue(key, out var window)) _windows[key] = window = new StepWindow();
        return window;
    }

    private sealed class StepWindow
    {
        public readonly HashSet<TaskId> InQueue = [];
        public readonly HashSet<TaskId> Admitted = [];
        public readonly Queue<OpenAttempt> Held = new();
        public readonly TaskPacking Packing = new();
        public int Places => InQueue.Count + Admitted.Count;
    }

    public TimeSpan? NextDue(RuntimeView view) =>
        _backingOff.TryPeek(out _, out var due) ? due - clock.GetUtcNow() : null;

    private void Take(OpenAttempt attempt, List<OpenAttempt> ready)
    {
        if (attempt.Scheduled.NotBefore <= clock.GetUtcNow()) ready.Add(attempt);
        else _backingOff.Enqueue(attempt, attempt.Scheduled.NotBefore);
    }

    private void TakeDue(List<OpenAttempt> ready)
    {
        var now = clock.GetUtcNow();
        while (_backingOff.TryPeek(out var held, out var due) && due <= now)
        {
            _backingOff.Dequeue();
            if (held.IsOpen) ready.Add(held);
        }
    }

    /// <summary>The open attempts sent to chosen workers that are no longer live: to be sent again, to a live one.</summary>
    private void TakeBackFromLostWorkers(List<OpenAttempt> ready, RuntimeView view)
    {
        if (_onChosenWorker.Count == 0 || workers is null) return;
        // Gone, or back under the same name without the task's C# step version (a rolling deploy): another must take it.
        var live = workers.Live().ToDictionary(w => w.Id);
        foreach (var (id, sent) in _onChosenWorker)
        {
            if (!sent.IsOpen) { _onChosenWorker.Remove(id); continue; }
            var work = view.Running(sent.Scheduled.ProcessId)?.Graph.Step(sent.Scheduled.Step).Work;
            if (live.TryGetValue(sent.Worker!.Value, out var worker) && work is not null && work.IsRunnableWith(worker.Steps)) continue;
            _onChosenWorker.Remove(id);
            ready.Add(sent);
            counters.HandOn();
        }
    }

    /// <summary>
    /// Looks up, in one batch and before any step window, the ready tasks of steps that reuse results, and starts
    /// confirming those with a recorded result from it: a reused task never takes a place in its step's window, so a
    /// step of 100 reused tasks is confirmed at once rather than a window at a time. Returns the tasks to run, and the
    /// reuses under way, which end with those the aggregate refused (to run after all); the tasks built for the look-up
    /// come back too, so that none is built twice. The memoizer's gate is held from the look-up until the reuses are recorded.
    /// </summary>
    private async Task<(List<OpenAttempt> ToRun, Dictionary<OpenAttempt, RunTask>? Built, Task<List<(OpenAttempt Attempt, RunTask Task)>>? Reusing)> StartReusingAsync(
        List<OpenAttempt> ready, RuntimeView view, CancellationToken cancellationToken)
    {
        if (memoizer is null || ready.Count == 0) return (ready, null, null);
        var keyed = new List<(OpenAttempt Attempt, RunTask Task)>();
        foreach (var attempt in ready)
            if (attempt.IsOpen && view.Running(attempt.Scheduled.ProcessId) is { } process && process.Graph.Step(attempt.Scheduled.Step) is { IsKeyed: true, Reuses: true })
                keyed.Add((attempt, Build(attempt, process)));
        if (keyed.Count == 0) return (ready, null, null);
        var built = keyed.ToDictionary(k => k.Attempt, k => k.Task);
        var gate = await memoizer.Gate.EnterAsync(cancellationToken);
        try
        {
            var (hits, _) = await memoizer.LookUpAsync(keyed, cancellationToken);
            if (hits.Count == 0)
            {
                gate.Dispose();
                return (ready, built, null);
            }
            var reused = hits.Select(h => h.Attempt).ToHashSet();
            return (ready.Where(a => !reused.Contains(a)).ToList(), built, ConfirmThenOpenAsync(hits, gate));
        }
        catch
        {
            gate.Dispose();
            throw;
        }
    }

    private async Task<List<(OpenAttempt Attempt, RunTask Task)>> ConfirmThenOpenAsync(List<(OpenAttempt Attempt, RunTask Task, CachedResult Result)> hits, IDisposable gate)
    {
        using (gate) return await memoizer!.ReuseAsync(hits);
    }

    private async Task SendAsync(List<OpenAttempt> attempts, RuntimeView view, int slots, CancellationToken cancellationToken,
        IReadOnlyDictionary<OpenAttempt, RunTask>? built = null) =>
        await SendNowAsync(Addressed(attempts, view, built), slots, cancellationToken);

    /// <summary>The task an attempt sends, with its cache key when its step is keyed.</summary>
    private RunTask Build(OpenAttempt attempt, RunningProcess process)
    {
        var task = _factory.Build(attempt.Scheduled, process, attempt.Position);
        return memoizer is not null && process.Graph.Step(task.Step).IsKeyed ? task with { CacheKey = TaskCacheKey.Of(task) } : task;
    }

    private async Task SendNowAsync(List<(OpenAttempt Attempt, RunTask Task)> ready, int slots, CancellationToken cancellationToken)
    {
        if (ready.Count == 0) return;
        int messages;
        if (EngineTelemetry.Source.HasListeners()) // one trace per task, so one message per task
            messages = await DispatchSpans.SendAsync(queue, ready.Select(r => r.Task).OrderByDescending(t => t.Priority).ToList(), cancellationToken);
        else
        {
            // The urgent first, wherever they go; each step's tasks packed as short as they have proved to be.
            messages = (await Task.WhenAll(ready.GroupBy(r => KeyOf(r.Attempt)).OrderByDescending(step => step.Max(r => r.Task.Priority)).Select(step =>
            {
                var window = WindowOf(step.First().Attempt);
                return queue.SendAsync(step.Select(r => r.Task).ToList(), window.Packing.PerMessage(window.InQueue.Count + step.Count(), slots), cancellationToken);
            }))).Sum();
        }
        foreach (var (attempt, task) in ready)
        {
            attempt.MarkSent(task.Worker);
            Queued(attempt);
        }
        counters.Dispatch(ready.Count, messages);
    }

    /// <summary>
    /// The tasks to send now, routed as their step says; one for any matching worker goes to the least busy matching live
    /// worker, and waits a while when none is live.
    /// </summary>
    private List<(OpenAttempt Attempt, RunTask Task)> Addressed(List<OpenAttempt> attempts, RuntimeView view, IReadOnlyDictionary<OpenAttempt, RunTask>? built)
    {
        var ready = new List<(OpenAttempt, RunTask)>(attempts.Count);
        IReadOnlyList<LiveWorker>? live = null;
        foreach (var attempt in attempts)
        {
            if (!attempt.IsOpen || view.Running(attempt.Scheduled.ProcessId) is not { } process) continue;
            var task = built?.GetValueOrDefault(attempt) ?? Build(attempt, process);
            var step = process.Graph.Step(task.Step);
            if (attempt.Scheduled.AwayFrom is { } away && workers is not null &&
                _chooser.Choose(step.On?.Selector ?? WorkerSelector.Anyone, task.Work, (live ??= workers.Live()).Where(w => w.Id != away).ToList()) is { } other)
            {
                // A straggler's copy goes to the least busy other live worker that can run it; with none, where its step's tasks go.
                ready.Add((attempt, task with { Route = TaskRoute.ToWorker(other) }));
                _onChosenWorker[attempt.Task] = attempt;
            }
            else if (task.Route?.Kind != RouteKind.AnyMatching) ready.Add((attempt, task));
            else if (workers is not null && step.On is { } on && _chooser.Choose(on.Selector, task.Work, live ??= workers.Live()) is { } worker)
            {
                ready.Add((attempt, task with { Route = TaskRoute.ToWorker(worker) }));
                _onChosenWorker[attempt.Task] = attempt;
            }
            else _backingOff.Enqueue(attempt, clock.GetUtcNow() + _options.Idle); // its attempt times out if none comes back: then the aggregate decides
        }
        return ready;
    }
}
