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
    /// The command for a scheduled attempt, routed as the aggregate recorded (an event from before routes were recorded
    /// is routed by the same rule, <see cref="StepDefinition.RouteFor"/>); a route to any matching worker is for the
    /// dispatcher to resolve to a live one.
    /// </summary>
    public RunTask Build(TaskScheduled scheduled, RunningProcess process, long position)
    {
        var step = process.Graph.Step(scheduled.Step);
        var parameters = new Dictionary<string, string>(process.Parameters);
        foreach (var (key, value) in step.Parameters) parameters[key] = value;
        parameters["partition"] = scheduled.Partition.ToString(CultureInfo.InvariantCulture);
        parameters["partitions"] = process.StepTasks.GetValueOrDefault(scheduled.Step, 1).ToString(CultureInfo.InvariantCulture);
        if (scheduled.Target is { } target) parameters["target"] = target;
        if (scheduled.Item is { } item) parameters["item"] = item;
        return new RunTask(scheduled.ProcessId, scheduled.TaskId, scheduled.Attempt, scheduled.Step, scheduled.Partition,
            step.Work, scheduled.Inputs, parameters, scheduled.Deadline, step.Retry.HeartbeatInterval, scheduled.Route ?? step.RouteFor(scheduled.Target), step.Lists, step.Retry.TaskTimeout, position, (byte)process.Priority, step.Retry.ProgressExtendsUpTo);
    }
}
