using Orchestration.Graphs;

namespace Orchestration.Processes;

public static partial class ProcessDecider
{
    /// <summary>
    /// Plans a step awaiting workers on the live workers that match its selector, as the command lists them: the
    /// chosen ones are recorded in the events (a task's target), so a replay never asks who is live again.
    /// </summary>
    private static Decision Place(ProcessState state, PlaceStep c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        var step = state.Steps.FirstOrDefault(s => s.Name == c.Step)
                   ?? throw DomainError.Named("unknown-step", $"Process {state.Id} has no step '{c.Step}'.");
        if (state.HasEnded || !step.IsAwaitingWorkers || step.Definition.On is not { } on)
            return Decision.Drop(DropKind.StepNotAwaitingWorkers, $"step '{c.Step}' is {step.Status.ToString().ToLowerInvariant()}, not awaiting workers");

        if (state.Status == ProcessStatus.Paused)
            return Decision.Drop(DropKind.ProcessPaused, $"process {state.Id} is paused; step '{c.Step}' is placed once it resumes");

        var matching = c.Workers.Where(w => on.Selector.Matches(w.Labels) && w.CanRun(step.Definition.Work)).OrderBy(w => w.Id.Value, StringComparer.Ordinal).ToArray();
        var waited = now - step.AwaitingSince!.Value;
        if (matching.Length == 0 && waited < on.Wait)
            return Decision.Drop(DropKind.NoMatchingWorkerYet, $"no live worker matches {on.Selector} yet; step '{c.Step}' waits up to {Describe(on.Wait)}");

        var plan = new Planner(state, state.Id, state.Graph!, state.Datasets, now);
        if (matching.Length == 0)
            plan.FailStep(step.Definition, NoWorkerMatches(on, step.Definition.Work, c.Workers, waited));
        else
            plan.PlaceStep(step.Definition, matching);
        plan.CompleteProcessIfDone();
        return Decision.Of(plan.Events);
    }

    private static string NoWorkerMatches(Placement on, Contracts.StepWork work, IReadOnlyList<LabeledWorker> live, TimeSpan waited) =>
        $"no live worker matches {on.Selector}{(work.CodeStep is { } code ? $" and has C# step '{work.Body}' v{work.Version}" : "")}{(on.Wait > TimeSpan.Zero ? $" after waiting {Describe(waited)}" : "")}; " +
        (live.Count == 0 ? "there are no live workers" : $"the live workers are {string.Join(", ", live.OrderBy(w => w.Id.Value, StringComparer.Ordinal).Select(w => w.Describe(work)))}");
}
