using System.Globalization;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Builds a worker's <see cref="RunTask"/> from a <see cref="TaskScheduled"/> event and what its running process
/// recorded when it started (the step's work and the parameters), as the <see cref="RuntimeView"/> keeps it.
/// </summary>
internal sealed class RunTaskFactory
{
    /// <summary>
    /// The command for a scheduled attempt. A task of a step placed on all matching workers is addressed to its recorded
    /// worker; one placed on any of them comes with the selector, for the dispatcher to pick a live worker when it sends it.
    /// </summary>
    public (RunTask Task, WorkerSelector? AnyOf) Build(TaskScheduled scheduled, RunningProcess process)
    {
        var step = process.Graph.Step(scheduled.Step);
        var parameters = new Dictionary<string, string>(process.Parameters);
        foreach (var (key, value) in step.Parameters) parameters[key] = value;
        parameters["partition"] = scheduled.Partition.ToString(CultureInfo.InvariantCulture);
        parameters["partitions"] = process.StepTasks.GetValueOrDefault(scheduled.Step, 1).ToString(CultureInfo.InvariantCulture);
        if (scheduled.Target is { } target) parameters["target"] = target;
        var worker = step.On?.Mode == Target.All && scheduled.Target is { } recorded ? WorkerId.From(recorded) : (WorkerId?)null;
        var task = new RunTask(scheduled.ProcessId, scheduled.TaskId, scheduled.Attempt, scheduled.Step, scheduled.Partition,
            step.Work, scheduled.Inputs, parameters, scheduled.Deadline, step.Retry.HeartbeatInterval, worker);
        return (task, step.On?.Mode == Target.Any ? step.On.Selector : null);
    }
}
