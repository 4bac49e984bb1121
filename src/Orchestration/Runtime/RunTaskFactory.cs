using System.Globalization;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Builds a worker's <see cref="RunTask"/> from a <see cref="TaskScheduled"/> event and what the process recorded
/// when it started (the step's work and the parameters). Learns processes from the events it is shown, and
/// reads a process's stream when it meets one it has not seen (after resuming from a checkpoint).
/// </summary>
internal sealed class RunTaskFactory(IEventStore store)
{
    private readonly Dictionary<ProcessId, Known> _processes = [];

    /// <summary>Follows the facts it needs from the event stream.</summary>
    public void Observe(IProcessEvent e)
    {
        switch (e)
        {
            case ProcessStarted started:
                _processes[started.ProcessId] = new Known(started.Graph, started.Parameters);
                break;
            case StepStarted step when _processes.TryGetValue(step.ProcessId, out var known):
                known.StepTasks[step.Step] = step.Tasks;
                break;
            case ProcessCompleted or ProcessFailed or ProcessCancelled:
                // Read in order, so no attempt of it comes after its end: a long-running orchestrator keeps only the running.
                _processes.Remove(e.ProcessId);
                break;
        }
    }

    /// <summary>
    /// The command for a scheduled attempt, or null when its process has ended (nothing to run). A task of a step placed
    /// on all matching workers is addressed to its recorded worker; one placed on any of them carries the selector, for
    /// the dispatcher to pick a live worker when it sends it.
    /// </summary>
    public async Task<Outgoing?> BuildAsync(TaskScheduled scheduled, long position, CancellationToken cancellationToken)
    {
        var known = await KnownAsync(scheduled.ProcessId, cancellationToken);
        if (known.Ended) return null;
        var step = known.Graph.Step(scheduled.Step);
        var parameters = new Dictionary<string, string>(known.Parameters);
        foreach (var (key, value) in step.Parameters) parameters[key] = value;
        parameters["partition"] = scheduled.Partition.ToString(CultureInfo.InvariantCulture);
        parameters["partitions"] = known.StepTasks.GetValueOrDefault(scheduled.Step, 1).ToString(CultureInfo.InvariantCulture);
        if (scheduled.Target is { } target) parameters["target"] = target;
        var worker = step.On?.Mode == Target.All && scheduled.Target is { } recorded ? WorkerId.From(recorded) : (WorkerId?)null;
        var task = new RunTask(scheduled.ProcessId, scheduled.TaskId, scheduled.Attempt, scheduled.Step, scheduled.Partition,
            step.Work, scheduled.Inputs, parameters, scheduled.Deadline, step.Retry.HeartbeatInterval, worker);
        return new Outgoing(task, step.On?.Mode == Target.Any ? step.On.Selector : null, position);
    }

    private async Task<Known> KnownAsync(ProcessId id, CancellationToken cancellationToken)
    {
        if (_processes.TryGetValue(id, out var known)) return known;
        var state = await store.LoadAsync(id, cancellationToken);
        known = new Known(state.Graph ?? throw new InvalidOperationException($"Task of process {id} scheduled, but the process has no ProcessStarted event."), state.Parameters)
        {
            Ended = state.HasEnded,
        };
        foreach (var step in state.Steps) known.StepTasks[step.Name] = step.TaskCount;
        return _processes[id] = known;
    }

    private sealed class Known(ProcessGraph graph, IReadOnlyDictionary<string, string> parameters)
    {
        public ProcessGraph Graph { get; } = graph;
        public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;
        public Dictionary<string, int> StepTasks { get; } = new(StringComparer.Ordinal);
        public bool Ended { get; init; }
    }
}

/// <summary>A task on its way to the queue: still to be given a worker when <see cref="AnyOf"/> is set; read at <see cref="Position"/>.</summary>
internal sealed record Outgoing(RunTask Task, WorkerSelector? AnyOf, long Position);
