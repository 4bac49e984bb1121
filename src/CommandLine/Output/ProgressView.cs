using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Runtime;
using Spectre.Console;

namespace Orchestration.CommandLine.Output;

/// <summary>Live progress of a process per step: tasks scheduled, running, confirmed and retried.</summary>
public static class ProgressView
{
    public static async Task<ProcessState> FollowAsync(Engine engine, ProcessId id, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await FollowAsLinesAsync(engine, id, cancellationToken);

        ProcessState final = null!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bars = new Dictionary<string, ProgressTask>();
                final = await engine.WaitForEndAsync(id, state =>
                {
                    foreach (var step in state.Steps)
                    {
                        if (!bars.TryGetValue(step.Name, out var bar))
                            bars[step.Name] = bar = context.AddTask(step.Name, autoStart: true, maxValue: 1);
                        bar.MaxValue = Math.Max(1, step.TaskCount);
                        bar.Value = step.Status == StepStatus.Completed ? bar.MaxValue : step.Confirmed;
                        bar.Description = Markup.Escape(Describe(step));
                    }
                }, cancellationToken);
            });
        return final;
    }

    private static async Task<ProcessState> FollowAsLinesAsync(Engine engine, ProcessId id, CancellationToken cancellationToken)
    {
        var reported = new HashSet<string>();
        return await engine.WaitForEndAsync(id, state =>
        {
            foreach (var step in state.Steps.Where(s => s.Status is StepStatus.Completed or StepStatus.Failed or StepStatus.Skipped && reported.Add(s.Name)))
                Console.WriteLine(Describe(step));
        }, cancellationToken);
    }

    public static string Describe(StepState step)
    {
        var running = StepProgress.Of(step).Running;
        var state = step.Status switch
        {
            StepStatus.Waiting => "waiting",
            StepStatus.Completed => "done",
            StepStatus.Failed => "FAILED",
            StepStatus.Skipped => "skipped",
            _ => $"{running} running",
        };
        return $"{step.Name,-16} {step.Confirmed,6}/{step.TaskCount,-6} confirmed, {state}, {step.Retries} retried";
    }
}
