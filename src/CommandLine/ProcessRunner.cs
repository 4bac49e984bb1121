using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.CommandLine.Output;
using Orchestration.Contracts;
using Orchestration.Processes;
using Spectre.Console;

namespace Orchestration.CommandLine;

/// <summary>Starts a process (or resumes it, when the same id already ran here), follows it, and reports the result.</summary>
public static class ProcessRunner
{
    public static async Task<int> RunAsync(Engine engine, StartProcess start, string csvPath, CancellationToken cancellationToken)
    {
        var (_, found) = await StartAsync(engine, start);
        if (!found)
        {
            AnsiConsole.MarkupLine($"process [bold]{start.ProcessId}[/] of graph {Markup.Escape(start.Graph.ToString())} started");
            return await FollowToTheEndAsync(engine, start.ProcessId, csvPath, cancellationToken);
        }
        // Resumed: an embedded engine takes the process up as it opens, before this line, so what was done before counts
        // only the confirmations recorded before this command started, and the run is timed from then too.
        var since = CommandStart;
        var done = await engine.Events.ReadStreamAsync(Runtime.ProcessStreams.StreamOf(start.ProcessId), 0, cancellationToken)
            .CountAsync(e => e.Event is TaskConfirmed && e.RecordedAt < since, cancellationToken);
        AnsiConsole.MarkupLine($"[yellow]resuming[/] process [bold]{start.ProcessId}[/] of graph {Markup.Escape(start.Graph.ToString())} ({done} task(s) already done)");
        return await FollowToTheEndAsync(engine, start.ProcessId, csvPath, cancellationToken, since);
    }

    /// <summary>When this command started (its process did).</summary>
    private static DateTimeOffset CommandStart => System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>
    /// Follows a running process until it ends: a failed or cancelled end is an error naming the reason; a completed one
    /// prints its tasks and skipped steps and writes its result to <paramref name="csvPath"/> (when given).
    /// </summary>
    /// <param name="since">When the run being reported began (a resumed one: this command's start); by default, now.</param>
    public static async Task<int> FollowToTheEndAsync(Engine engine, ProcessId id, string? csvPath, CancellationToken cancellationToken, DateTimeOffset? since = null)
    {
        var began = since ?? DateTimeOffset.UtcNow;
        var state = await ProgressView.FollowAsync(engine, id, cancellationToken);
        if (state.Status != ProcessStatus.Completed)
            throw new CliError($"process {id} {state.Status.ToString().ToLowerInvariant()}: {state.EndReason} (see: {OrchestrationCommandLine.Name} history {id})");

        var reused = state.Tasks.Count(t => t.ReusedFrom is not null);
        AnsiConsole.MarkupLine($"process [bold]{id}[/] completed in {(DateTimeOffset.UtcNow - began).TotalSeconds:0.0} s: {state.Tasks.Count()} task(s), {reused} reused{(engine.Counters is { } counters ? $", {counters.DuplicatesDropped} duplicate(s) dropped" : "")}");
        foreach (var skipped in state.Steps.Where(s => s.Status == StepStatus.Skipped))
            Console.WriteLine($"skipped step '{skipped.Name}': {skipped.FailureReason}"); // one line, unwrapped, for scripts to find
        if (csvPath is not null) await ResultWriter.WriteAsync(engine.Blobs, state.Outputs, csvPath, cancellationToken);
        return 0;
    }

    /// <summary>
    /// Starts (or finds) the process. Embedded, the in-process worker is the only one: a graph needing a C# step it lacks
    /// is refused before it starts, rather than left waiting for a worker that cannot come.
    /// </summary>
    public static Task<(ProcessState State, bool Found)> StartAsync(Engine engine, StartProcess start)
    {
        if (engine is EmbeddedEngine embedded)
        {
            var missing = start.Graph.Steps.Where(s => s.Work.CodeStep is { } key && !embedded.Steps.Keys.Contains(key)).ToList();
            if (missing.Count > 0)
                throw new CliError($"graph {start.Graph} needs {string.Join(", ", missing.Select(s => $"C# step '{s.Work.Body}' v{s.Work.Version} (step '{s.Name}')"))}, " +
                    $"which this program does not register (it has: {string.Join(", ", embedded.Steps.Keys)}); add it with AddStep<T>() in the program's setup.");
        }
        return engine.StartOrFindAsync(start);
    }
}
