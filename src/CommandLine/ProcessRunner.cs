using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.CommandLine.Output;
using Orchestration.Processes;
using Spectre.Console;

namespace Orchestration.CommandLine;

/// <summary>Starts a process (or resumes it, when the same id already ran here), follows it, and reports the result.</summary>
public static class ProcessRunner
{
    public static async Task<int> RunAsync(Engine engine, StartProcess start, string csvPath, CancellationToken cancellationToken)
    {
        var state = await StartAsync(engine, start);
        var resumed = state.Tasks.Any(t => t.Status == Processes.TaskStatus.Confirmed) || state.HasEnded;
        AnsiConsole.MarkupLine(resumed
            ? $"[yellow]resuming[/] process [bold]{start.ProcessId}[/] of graph {Markup.Escape(start.Graph.ToString())} ({state.Tasks.Count(t => t.Status == Processes.TaskStatus.Confirmed)} task(s) already done)"
            : $"process [bold]{start.ProcessId}[/] of graph {Markup.Escape(start.Graph.ToString())} started");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        state = await ProgressView.FollowAsync(engine, start.ProcessId, cancellationToken);
        if (state.Status != ProcessStatus.Completed)
            throw new CliError($"process {start.ProcessId} {state.Status.ToString().ToLowerInvariant()}: {state.EndReason} (see: {OrchestrationCommandLine.Name} history {start.ProcessId})");

        AnsiConsole.MarkupLine($"process [bold]{start.ProcessId}[/] completed in {clock.Elapsed.TotalSeconds:0.0} s: {state.Tasks.Count()} task(s){(engine.Counters is { } counters ? $", {counters.DuplicatesDropped} duplicate(s) dropped" : "")}");
        foreach (var skipped in state.Steps.Where(s => s.Status == StepStatus.Skipped))
            Console.WriteLine($"skipped step '{skipped.Name}': {skipped.FailureReason}"); // one line, unwrapped, for scripts to find
        await ResultWriter.WriteAsync(engine.Blobs, state.Outputs, csvPath, cancellationToken);
        return 0;
    }

    /// <summary>
    /// Starts (or finds) the process. Embedded, the in-process worker is the only one: a graph needing a C# step it lacks
    /// is refused before it starts, rather than left waiting for a worker that cannot come.
    /// </summary>
    public static Task<ProcessState> StartAsync(Engine engine, StartProcess start)
    {
        if (engine is EmbeddedEngine embedded)
        {
            var missing = start.Graph.Steps.Where(s => s.Work.CodeStep is { } key && !embedded.Steps.Keys.Contains(key)).ToList();
            if (missing.Count > 0)
                throw new CliError($"graph {start.Graph} needs {string.Join(", ", missing.Select(s => $"C# step '{s.Work.Body}' v{s.Work.Version} (step '{s.Name}')"))}, " +
                    $"which this program does not register (it has: {string.Join(", ", embedded.Steps.Keys)}); add it with AddStep<T>() in the program's setup.");
        }
        return engine.StartOrResumeAsync(start);
    }
}
