using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.DataProcessing.Workers;

/// <summary>
/// A worker's spans (the task, and under it each blob transfer and the DuckDB query or C# step) and its task
/// duration histogram. Plain System.Diagnostics: an exporter attaches by <see cref="Name"/>.
/// </summary>
public static class WorkerTelemetry
{
    public const string Name = "Orchestration.Worker";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    // Seconds, from a no-op task (milliseconds) to a long DuckDB step (minutes); the SDK's default buckets are for milliseconds.
    private static readonly Histogram<double> Duration = Meter.CreateHistogram("orchestration.task.duration", "s",
        "How long one attempt of a task took on a worker, from the first download to the last upload",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });

    internal static Activity? StartTask(RunTask task, WorkerId worker)
    {
        var span = Source.StartActivity("run task");
        span?.SetTag(SpanTags.Process, task.ProcessId.Value)
            .SetTag(SpanTags.Task, task.TaskId.Value)
            .SetTag(SpanTags.Attempt, task.Attempt)
            .SetTag(SpanTags.Step, task.Step)
            .SetTag("orchestration.work", task.Work.Kind.ToString())
            .SetTag(SpanTags.Worker, worker.Value);
        return span;
    }

    /// <summary>A span for moving one blob (<c>download blob</c>, <c>upload blob</c>), for C# steps that move blobs themselves.</summary>
    public static Activity? StartBlob(string operation, string blob, long bytes)
    {
        var span = Source.StartActivity(operation);
        span?.SetTag("orchestration.blob", blob).SetTag("orchestration.blob.bytes", bytes);
        return span;
    }

    /// <summary>Records the attempt's duration and outcome; returns the outcome.</summary>
    internal static TaskOutcome Ran(Activity? span, TimeSpan elapsed, TaskOutcome outcome)
    {
        Duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome.Completed is null ? "failed" : "completed"));
        if (outcome.Completed is { } done) span?.SetTag("orchestration.rows", done.Metrics.RowsWritten);
        else span?.SetStatus(ActivityStatusCode.Error, outcome.Failed!.Error);
        return outcome;
    }
}
