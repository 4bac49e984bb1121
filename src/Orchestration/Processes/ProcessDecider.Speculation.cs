using Orchestration.Contracts;

namespace Orchestration.Processes;

public static partial class ProcessDecider
{
    /// <summary>
    /// Copies a step's stragglers: once enough of its tasks are confirmed (its speculation's quantile), every started
    /// attempt that has run longer than the multiple of their median run time, has no copy yet and has an attempt left
    /// gets one, sent away from the worker it runs on. Run times are the workers' own (the confirmations' metrics); an
    /// attempt's is counted from its recorded start, which workers report once a task has run a second.
    /// </summary>
    private static Decision Review(ProcessState state, ReviewStragglers c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        var step = state.Steps.FirstOrDefault(s => s.Name == c.Step) ?? throw DomainError.Named("unknown-step", $"Process {state.Id} has no step '{c.Step}'.");
        var speculation = step.Definition.Speculates;
        if (state.Status != ProcessStatus.Running || step.Status != StepStatus.Running || !speculation.On)
            return Decision.Drop(DropKind.NoStragglers, $"step '{c.Step}' is {step.Status.ToString().ToLowerInvariant()} in a {state.Status.ToString().ToLowerInvariant()} process ({speculation})");
        var needed = speculation.ConfirmedBeforeCopies(step.TaskCount);
        if (step.Confirmed < needed)
            return Decision.Drop(DropKind.NoStragglers, $"{step.Confirmed} of step '{c.Step}''s {step.TaskCount} tasks are confirmed; stragglers are copied from {needed}");

        var median = MedianRunTime(step);
        var policy = step.Definition.Retry;
        var events = new List<IProcessEvent>();
        foreach (var task in step.ScheduledTasks)
        {
            if (task.Status == TaskStatus.Confirmed || task.CopyOf is not null || task.StartedOn is not { } slowOn || task.StartedAt is not { } started) continue;
            var running = now - started;
            if (running <= median * speculation.Multiple || task.AttemptsThisRun >= policy.MaxAttempts) continue;
            events.Add(new StragglerCopied(state.Id, task.Id, task.Attempt, task.Attempt + 1, slowOn, running, median, now));
            events.Add(new TaskScheduled(state.Id, task.Id, task.Attempt + 1, step.Name, task.Partition, task.Inputs, task.Target, now, now + policy.QueueWait(forOneWorker: false),
                step.Definition.RouteFor(task.Target), task.Item, CopyOf: task.Attempt, AwayFrom: slowOn));
        }
        return events.Count > 0 ? Decision.Of(events)
            : Decision.Drop(DropKind.NoStragglers, $"no attempt of step '{c.Step}' has run past {speculation.Multiple:0.##}x the median of {Describe(median)}");
    }

    /// <summary>The median of the run times the step's workers reported for its confirmed tasks.</summary>
    private static TimeSpan MedianRunTime(StepState step)
    {
        var times = step.ScheduledTasks.Where(t => t.Status == TaskStatus.Confirmed).Select(t => t.Metrics?.Duration ?? TimeSpan.Zero).Order().ToArray();
        return times.Length == 0 ? TimeSpan.Zero : times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
    }
}
