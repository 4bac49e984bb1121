using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;
using Spectre.Console;

namespace Orchestration.CommandLine.Output;

/// <summary>Tables of processes and tasks for the operator commands.</summary>
public static class ProcessViews
{
    public static void Status(ProcessPage page)
    {
        if (page.Total == 0)
        {
            AnsiConsole.MarkupLine("[grey]no processes yet[/]");
            return;
        }
        // Ids are what people copy into describe and history: never wrapped.
        var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("process").NoWrap())
            .AddColumns("graph", "status", "steps", "tasks", "started", "ended");
        foreach (var p in page.Processes)
        {
            table.AddRow(Markup.Escape(p.Id), Markup.Escape($"'{p.Graph}' v{p.GraphVersion}"), StatusMarkup(p.Status),
                $"{p.CompletedSteps}/{p.Steps}", $"{p.ConfirmedTasks}/{p.Tasks}",
                $"{p.StartedAt:yyyy-MM-dd HH:mm:ss}", p.EndedAt is { } ended ? $"{ended:HH:mm:ss}" : "");
        }
        AnsiConsole.Write(table);
        if (page.Pages > 1)
            AnsiConsole.MarkupLine($"[grey]page {page.Page} of {page.Pages} ({page.Total:N0} processes); --page {Math.Min(page.Page + 1, page.Pages)} for {(page.Page < page.Pages ? "the next" : "the last")}[/]");
    }

    public static void Describe(ProcessState p)
    {
        AnsiConsole.MarkupLine($"process [bold]{Markup.Escape(p.Id.Value)}[/] of graph {Markup.Escape(p.Graph?.ToString() ?? "?")}: {StatusMarkup(p)}");
        if (p.EndReason is { } reason) AnsiConsole.MarkupLine($"[red]reason:[/] {Markup.Escape(reason)}");
        if (p.PausedBecause is { } paused) AnsiConsole.MarkupLine($"[yellow]paused:[/] {Markup.Escape(paused)}");
        foreach (var step in p.Steps)
        {
            AnsiConsole.MarkupLine($"  {Markup.Escape(ProgressView.Describe(step))}");
            if (step.NondeterministicBecause is { } why)
                Console.WriteLine($"    non-deterministic: {why}"); // one line, unwrapped: the hashes are what a user compares
            // Which workers ran it, on one line never wrapped (plain text): what a user checks of a step placed by label.
            if (step.Definition.On is { } on)
                Console.WriteLine($"    {on}; ran on: {RanOn(step)}");
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("task").NoWrap())
            .AddColumns("step", "attempt", "status", "worker", "duration", "rows", "scanned locally", "moved", "outputs");
        foreach (var task in p.Tasks.OrderBy(t => t.Step.Name).ThenBy(t => t.Partition))
            table.AddRow(Markup.Escape(task.Id.Value), Markup.Escape(task.Step.Name), task.Attempt.ToString(), task.ReusedFrom is null ? task.Status.ToString() : "Reused",
                Markup.Escape(task.Worker?.Value ?? ""), task.Metrics is { } m ? $"{m.Duration.TotalMilliseconds:N0} ms" : "",
                task.Metrics is { } n ? $"{n.RowsWritten:N0}" : "", task.Metrics is { } l ? Bytes(l.LocalBytesScanned) : "",
                task.Metrics is { } b ? Bytes(b.BytesMoved) : "", Markup.Escape(string.Join(" ", task.Outputs.Select(o => o.Uri.AbsolutePath.TrimStart('/')))));
        AnsiConsole.Write(table);
        // One line per reused task, unwrapped: where its result came from (a task of this or another process).
        foreach (var task in p.Tasks.Where(t => t.ReusedFrom is not null))
            Console.WriteLine($"reused: {task.Id} has the result of {task.ReusedFrom} (same work over the same bytes; run by {task.Worker})");
        foreach (var task in p.Tasks.Where(t => t.Metadata.ContainsKey("warning")))
            AnsiConsole.MarkupLine($"[yellow]task {Markup.Escape(task.Id.Value)}[/]{Markup.Escape(TaskConfirmed.Warning(task.Metadata))}");
        var metrics = p.Tasks.Select(t => t.Metrics).OfType<TaskMetrics>().ToList();
        // One line people (and tests) read: how much data stayed where it was, and how much crossed the network.
        AnsiConsole.MarkupLine($"bytes scanned locally: {Bytes(metrics.Sum(m => m.LocalBytesScanned))}, bytes moved (blobs read + written): {Bytes(metrics.Sum(m => m.BytesMoved))}");
    }

    private static string RanOn(StepState step)
    {
        var workers = step.ScheduledTasks.Select(t => t.Worker?.Value).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        return workers.Count == 0 ? "no worker yet" : string.Join(", ", workers);
    }

    private static string Bytes(long bytes) => bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string StatusMarkup(ProcessState p) => StatusMarkup(p.Status);

    private static string StatusMarkup(ProcessStatus status) => status switch
    {
        ProcessStatus.Completed => "[green]completed[/]",
        ProcessStatus.Failed => "[red]failed[/]",
        ProcessStatus.Cancelled => "[yellow]cancelled[/]",
        ProcessStatus.Paused => "[yellow]paused[/]",
        _ => "[blue]running[/]",
    };
}
