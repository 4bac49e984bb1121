using System.Text.Json;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Storage;

namespace Orchestration.Runtime;

/// <summary>
/// What the orchestrator's handlers need to know of the log, folded once by the <see cref="LogFollower"/>: the running
/// processes (their graph and parameters, each step's task count), every open attempt (its deadline, whether it was
/// sent and to which worker) and the steps awaiting placement. A process that ends leaves the view with all it had, so
/// "has this process ended" is asked here alone: a process not in the view is not running. The view is saved with the
/// follower's checkpoint and restored from it, so a restart never reads the log from its start.
/// </summary>
public sealed class RuntimeView
{
    private readonly Dictionary<ProcessId, RunningProcess> _running = [];
    private readonly Dictionary<TaskId, OpenAttempt> _open = [];
    private readonly HashSet<(ProcessId Process, string Step)> _awaiting = [];

    /// <summary>The global position of the last event folded in.</summary>
    public long Position { get; private set; }

    public IReadOnlyCollection<OpenAttempt> OpenAttempts => _open.Values;
    public IReadOnlyCollection<(ProcessId Process, string Step)> AwaitingPlacement => _awaiting;

    /// <summary>Every running process, by id.</summary>
    public IReadOnlyDictionary<ProcessId, RunningProcess> RunningProcesses => _running;

    /// <summary>The running process, or null when it has ended (or never started).</summary>
    public RunningProcess? Running(ProcessId id) => _running.GetValueOrDefault(id);

    /// <summary>The open attempt of a task, or null once it is confirmed, superseded by another attempt, or its process ended.</summary>
    public OpenAttempt? Open(TaskId task) => _open.GetValueOrDefault(task);

    /// <summary>Moves the position past events the follower read but left out (other shards' streams).</summary>
    public void ReadThrough(long position)
    {
        if (position > Position) Position = position;
    }

    public void Apply(StoredEvent stored)
    {
        Position = stored.Position;
        switch (stored.Event)
        {
            case ProcessStarted started:
                _running[started.ProcessId] = new RunningProcess(started.Graph, started.Parameters, started.Priority);
                break;
            case ProcessRetried retried:
                var again = _running[retried.ProcessId] = new RunningProcess(retried.Graph, retried.Parameters, retried.Priority);
                foreach (var (step, tasks) in retried.StepTasks) again.StepTasks[step] = tasks;
                break;
            case StepStarted step when _running.TryGetValue(step.ProcessId, out var stepProcess):
                stepProcess.StepTasks[step.Step] = step.Tasks;
                _awaiting.Remove((step.ProcessId, step.Step));
                break;
            case StepAwaitingWorkers awaiting when _running.ContainsKey(awaiting.ProcessId):
                _awaiting.Add((awaiting.ProcessId, awaiting.Step));
                break;
            case StepFailed failed:
                _awaiting.Remove((failed.ProcessId, failed.Step));
                break;
            case TaskScheduled scheduled when _running.TryGetValue(scheduled.ProcessId, out var taskProcess):
                if (_open.Remove(scheduled.TaskId, out var superseded)) superseded.Close();
                _open[scheduled.TaskId] = new OpenAttempt(scheduled, stored.Position);
                taskProcess.Open.Add(scheduled.TaskId);
                break;
            case TaskStartRecorded start when Open(start.TaskId) is { } open && open.Attempt == start.Attempt:
                open.Deadline = start.Deadline;
                break;
            case TaskHeartbeatRecorded beat when Open(beat.TaskId) is { } open && open.Attempt == beat.Attempt:
                open.Deadline = beat.Deadline;
                break;
            case TaskConfirmed confirmed when _open.Remove(confirmed.TaskId, out var done):
                done.Close();
                if (_running.TryGetValue(confirmed.ProcessId, out var process))
                {
                    process.Open.Remove(confirmed.TaskId);
                    process.Confirmed[done.Scheduled.Step] = process.Confirmed.GetValueOrDefault(done.Scheduled.Step) + 1;
                }
                break;
            case ProcessCompleted or ProcessFailed or ProcessCancelled when _running.Remove(stored.Event.ProcessId, out var ended):
                // Read in order, so nothing of it comes after its end: the view keeps only what runs.
                foreach (var task in ended.Open)
                    if (_open.Remove(task, out var left)) left.Close();
                _awaiting.RemoveWhere(a => a.Process == stored.Event.ProcessId);
                break;
        }
    }

    /// <summary>Writes the view, for the follower's checkpoint, to <paramref name="stream"/> as it is serialised, one attempt at a time: never whole in memory.</summary>
    public Task SaveAsync(Stream stream, CancellationToken cancellationToken) => JsonSerializer.SerializeAsync(stream, new Saved(
        Position,
        _running.Select(p => new SavedProcess(p.Key, p.Value.Graph, p.Value.Parameters, p.Value.StepTasks, p.Value.Priority, p.Value.Confirmed)).ToList(),
        _open.Values.Select(a => new SavedAttempt(a.Scheduled, a.Position, a.Deadline, a.Sent, a.Worker)),
        _awaiting.Select(a => new SavedAwaiting(a.Process, a.Step)).ToList()), EventSerializer.Options, cancellationToken);

    /// <summary>The view saved in <paramref name="checkpoint"/>, or an empty one at position 0.</summary>
    public static RuntimeView Restore(Checkpoint checkpoint)
    {
        var view = new RuntimeView();
        if (checkpoint.State.Length == 0) return view;
        var saved = JsonSerializer.Deserialize<Saved>(checkpoint.State, EventSerializer.Options)
                    ?? throw new JsonException("The runtime view's checkpoint is empty.");
        view.Position = saved.Position;
        foreach (var p in saved.Processes)
        {
            var process = new RunningProcess(p.Graph, p.Parameters, p.Priority);
            foreach (var (step, tasks) in p.StepTasks) process.StepTasks[step] = tasks;
            foreach (var (step, confirmed) in p.Confirmed ?? []) process.Confirmed[step] = confirmed;
            view._running[p.Id] = process;
        }
        foreach (var a in saved.Attempts)
        {
            view._open[a.Scheduled.TaskId] = new OpenAttempt(a.Scheduled, a.Position, a.Deadline, a.Sent, a.Worker);
            view._running[a.Scheduled.ProcessId].Open.Add(a.Scheduled.TaskId);
        }
        foreach (var a in saved.Awaiting) view._awaiting.Add((a.Process, a.Step));
        return view;
    }

    private sealed record Saved(long Position, List<SavedProcess> Processes, IEnumerable<SavedAttempt> Attempts, List<SavedAwaiting> Awaiting);
    private sealed record SavedProcess(ProcessId Id, ProcessGraph Graph, IReadOnlyDictionary<string, string> Parameters, Dictionary<string, int> StepTasks, int Priority = 0,
        Dictionary<string, int>? Confirmed = null);
    private sealed record SavedAttempt(TaskScheduled Scheduled, long Position, DateTimeOffset Deadline, bool Sent, WorkerId? Worker);
    private sealed record SavedAwaiting(ProcessId Process, string Step);
}

/// <summary>A running process as the handlers need it: to build its tasks' commands.</summary>
public sealed class RunningProcess(ProcessGraph graph, IReadOnlyDictionary<string, string> parameters, int priority = ProcessPriority.Normal)
{
    public ProcessGraph Graph { get; } = graph;
    public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;
    public int Priority { get; } = priority;
    public Dictionary<string, int> StepTasks { get; } = new(StringComparer.Ordinal);
    /// <summary>Each step's tasks confirmed since the process started (or was last retried).</summary>
    public Dictionary<string, int> Confirmed { get; } = new(StringComparer.Ordinal);
    internal HashSet<TaskId> Open { get; } = [];
}

/// <summary>
/// An attempt scheduled and not yet confirmed, superseded or ended: its deadline (moved by starts and beats), whether the
/// dispatcher has sent it, and to which worker when it chose one.
/// </summary>
public sealed class OpenAttempt(TaskScheduled scheduled, long position)
{
    /// <summary>An attempt as a saved view held it.</summary>
    internal OpenAttempt(TaskScheduled scheduled, long position, DateTimeOffset deadline, bool sent, WorkerId? worker) : this(scheduled, position) =>
        (Deadline, Sent, Worker) = (deadline, sent, worker);

    public TaskScheduled Scheduled { get; } = scheduled;
    /// <summary>Where its <see cref="TaskScheduled"/> is in the log.</summary>
    public long Position { get; } = position;
    public TaskId Task => Scheduled.TaskId;
    public int Attempt => Scheduled.Attempt;
    public DateTimeOffset Deadline { get; internal set; } = scheduled.Deadline;
    public bool Sent { get; private set; }
    public WorkerId? Worker { get; private set; }
    /// <summary>False once confirmed, superseded or its process ended: a handler holding it lets it go.</summary>
    public bool IsOpen { get; private set; } = true;

    /// <summary>The dispatcher sent it (to <paramref name="worker"/> when it chose one).</summary>
    public void MarkSent(WorkerId? worker) => (Sent, Worker) = (true, worker);

    internal void Close() => IsOpen = false;
}
