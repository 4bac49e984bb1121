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
        var state = await engine.StartOrResumeAsync(start);
        var resumed = state.Tasks.Any(t => t.Status == Processes.TaskStatus.Confirmed) || state.HasEnded;
        AnsiConsole.MarkupLine(resumed
            ? $"[yellow]resuming[/] process [bold]{start.ProcessId}[/] of graph {Markup.Escape(start.Graph.ToString())} ({state.Tasks.Count(t => t.Status == Processes.TaskStatus.Confirmed)} task(s) already done)"
            : $"process [bold]{start.ProcessId}[/] of graph {Markup.Escape(start.Graph.ToString())} started");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        state = await ProgressView.FollowAsync(engine, start.ProcessId, cancellationToken);
        if (state.Status != ProcessStatus.Completed)
            throw new CliError($"process {start.ProcessId} {state.Status.ToString().ToLowerInvariant()}: {state.EndReason} (see: ./orch history {start.ProcessId})");

        AnsiConsole.MarkupLine($"process [bold]{start.ProcessId}[/] completed in {clock.Elapsed.TotalSeconds:0.0} s: {state.Tasks.Count()} task(s), {engine.Runtime.Counters.DuplicatesDropped} duplicate(s) dropped");
        await ResultWriter.WriteAsync(engine.Blobs, state.Outputs, csvPath, cancellationToken);
        return 0;
    }
}
