using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Storage;

namespace Orchestration.CommandLine.Output;

/// <summary>
/// What the inspect commands print: plain tables that fit the width (<see cref="TextTable"/>; ids cut only when the
/// terminal is too narrow, whole with <c>--wide</c>), or, with <c>--json</c>, one JSON document for scripts.
/// </summary>
public static class ProcessViews
{
    /// <summary>For scripts: camelCase names, statuses as words, indented.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // read by scripts and people, not embedded in HTML
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Status(ProcessPage page, bool wide, bool json, ProcessFilter? filter = null)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { page.Page, page.Pages, page.PageSize, page.Total, page.Processes }, Json));
            return;
        }
        if (page.Total == 0)
        {
            Console.WriteLine(filter is { Graph: null, Status: null } or null ? "no processes yet"
                : $"no {(filter.Status is { } status ? Word(status) + " " : "")}processes{(filter.Graph is { } graph ? $" of graph '{graph}'" : "")}");
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var table = new TextTable().Column("process", shrink: 2).Column("graph", shrink: 3).Column("status").Column("steps", right: true)
            .Column("tasks", right: true).Column("started", right: true).Column("took", right: true);
        foreach (var p in page.Processes)
            table.Row(p.Id, $"{p.Graph} v{p.GraphVersion}", Word(p.Status), $"{p.CompletedSteps}/{p.Steps}", $"{p.ConfirmedTasks}/{p.Tasks}",
                wide ? $"{p.StartedAt:yyyy-MM-dd HH:mm:ss}" : ShortTime.Ago(p.StartedAt, now),
                p.StartedAt is { } started && p.EndedAt is { } ended ? ShortTime.Duration(ended - started) : "");
        table.Print(OutputWidth.Of(wide));
        if (page.Pages > 1)
            Console.WriteLine($"page {page.Page} of {page.Pages} ({page.Total:N0} processes); --page {Math.Min(page.Page + 1, page.Pages)} for {(page.Page < page.Pages ? "the next" : "the last")}");
    }

    public static void Describe(ProcessState p, bool wide = false, bool json = false)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(Document(p), Json));
            return;
        }
        Console.WriteLine($"process {p.Id.Value} of graph {p.Graph?.ToString() ?? "?"}: {Word(p.Status)}");
        if (p.EndReason is { } reason) Console.WriteLine($"reason: {reason}");
        if (p.PausedBecause is { } paused) Console.WriteLine($"paused: {paused}");
        foreach (var step in p.Steps)
        {
            Console.WriteLine($"  {ProgressView.Describe(step)}");
            if (step.NondeterministicBecause is { } why)
                Console.WriteLine($"    non-deterministic: {why}"); // one line: the hashes are what a user compares
            // Which workers ran it: what a user checks of a step placed by label.
            if (step.Definition.On is { } on)
                Console.WriteLine($"    {on}; ran on: {RanOn(step)}");
        }
        var local = p.Tasks.Any(t => t.Metrics is { LocalBytesScanned: > 0 });
        // A task as step/partition: the process is named above (--wide: its whole id).
        var table = new TextTable().Column("task", shrink: 2).Column("try", right: true).Column("status")
            .Column("worker", shrink: 4).Column("took", right: true).Column("rows", right: true);
        if (local) table.Column("local", right: true);
        table.Column("moved", right: true).Column("outputs", shrink: 5);
        foreach (var task in p.Tasks.OrderBy(t => t.Step.Name).ThenBy(t => t.Partition))
        {
            var m = task.Metrics;
            var prefix = $"{p.Id.Value}/";
            string[] cells = [wide || !task.Id.Value.StartsWith(prefix, StringComparison.Ordinal) ? task.Id.Value : task.Id.Value[prefix.Length..], task.Attempt.ToString(), task.ReusedFrom is null ? Word(task.Status) : "reused",
                task.Worker?.Value ?? "", m is null ? "" : ShortTime.Duration(m.Duration), m is null ? "" : $"{m.RowsWritten:N0}",
                .. local ? [m is null ? "" : Retention.Sizes.Of(m.LocalBytesScanned)] : Array.Empty<string>(),
                m is null ? "" : Retention.Sizes.Of(m.BytesMoved), string.Join(" ", task.Outputs.Select(o => Shown(o, task, wide)))];
            table.Row(cells);
        }
        table.Print(OutputWidth.Of(wide));
        // One line per reused task: where its result came from (a task of this or another process).
        foreach (var task in p.Tasks.Where(t => t.ReusedFrom is not null))
            Console.WriteLine($"reused: {task.Id} has the result of {task.ReusedFrom} (same work over the same bytes; run by {task.Worker})");
        foreach (var task in p.Tasks.Where(t => t.Metadata.ContainsKey("warning")))
            Console.WriteLine($"task {task.Id.Value}{TaskConfirmed.Warning(task.Metadata)}");
        var metrics = p.Tasks.Select(t => t.Metrics).OfType<TaskMetrics>().ToList();
        // One line people (and tests) read: how much data stayed where it was, and how much crossed the network.
        Console.WriteLine($"bytes scanned locally: {Bytes(metrics.Sum(m => m.LocalBytesScanned))}, bytes moved (blobs read + written): {Bytes(metrics.Sum(m => m.BytesMoved))}");
    }

    /// <summary>A process's events for <c>history --json</c>: each with its version, position, time, wire type, line and stored form.</summary>
    public static void History(IEnumerable<StoredEvent> events) =>
        Console.WriteLine(JsonSerializer.Serialize(events.Select(e => new
        {
            e.Version, e.Position, e.RecordedAt,
            Type = EventSerializer.Instance.TypeOf(e.Event),
            Text = e.Event.ToString(),
            Event = JsonDocument.Parse(EventSerializer.Instance.Serialize(e.Event)).RootElement,
        }), Json));

    private static object Document(ProcessState p) => new
    {
        Id = p.Id.Value, Graph = p.Graph?.Name, GraphVersion = p.Graph?.Version, p.Status, Reason = p.EndReason, Paused = p.PausedBecause,
        p.StartedAt, p.EndedAt, Outputs = p.Outputs.Select(o => o.Uri),
        Steps = p.Steps.Select(s => new { s.Name, s.Status, Tasks = s.TaskCount, s.Confirmed, s.Retries, Reason = s.FailureReason, Nondeterministic = s.NondeterministicBecause }),
        Tasks = p.Tasks.OrderBy(t => t.Step.Name).ThenBy(t => t.Partition).Select(t => new
        {
            Id = t.Id.Value, Step = t.Step.Name, t.Partition, t.Attempt, t.Status, Worker = t.Worker?.Value, ReusedFrom = t.ReusedFrom?.Value,
            DurationMs = t.Metrics?.Duration.TotalMilliseconds, Rows = t.Metrics?.RowsWritten, BytesMoved = t.Metrics?.BytesMoved,
            Outputs = t.Outputs.Select(o => o.Uri), t.Metadata,
        }),
    };

    /// <summary>An output as its blob name; within its own task's folder (<c>a1/part-0.parquet</c>) unless wide.</summary>
    private static string Shown(Contracts.BlobRef output, TaskState task, bool wide)
    {
        var name = Uri.UnescapeDataString(output.Uri.AbsolutePath.TrimStart('/'));
        var folder = $"tasks/{task.Id.Value}/";
        var at = name.IndexOf(folder, StringComparison.Ordinal);
        return wide || at < 0 ? name : name[(at + folder.Length)..];
    }

    private static string RanOn(StepState step)
    {
        var workers = step.ScheduledTasks.Select(t => t.Worker?.Value).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        return workers.Count == 0 ? "no worker yet" : string.Join(", ", workers);
    }

    private static string Bytes(long bytes) => bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Word<T>(T status) where T : Enum => status.ToString().ToLowerInvariant();
}
