using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orchestration.Contracts;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// The orchestrator's spans and metrics. Plain System.Diagnostics, so the engine carries no telemetry package:
/// an exporter (OpenTelemetry, dotnet-counters) attaches by <see cref="Name"/>. Nothing is allocated for a task
/// while no one listens.
/// </summary>
public static class EngineTelemetry
{
    public const string Name = "Orchestration.Engine";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>A span about one attempt of one task, tagged so all of that task's spans are found together.</summary>
    public static Activity? StartTaskSpan(string name, ProcessId process, TaskId task, int attempt, string? parent = null)
    {
        var span = parent is not null && ActivityContext.TryParse(parent, null, isRemote: true, out var remote)
            ? Source.StartActivity(name, ActivityKind.Internal, remote)
            : Source.StartActivity(name);
        span?.SetTag(SpanTags.Process, process.Value).SetTag(SpanTags.Task, task.Value).SetTag(SpanTags.Attempt, attempt);
        return span;
    }

    /// <summary>How the aggregate took a command, on the command's span: a dropped duplicate is normal, not an error.</summary>
    public static void Decided(Activity? span, Decision decision)
    {
        if (decision.Dropped is { } dropped) span?.SetTag("orchestration.dropped", dropped.Kind.ToString());
    }

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Scheduled = Meter.CreateCounter<long>("orchestration.tasks.scheduled", "{task}", "Tasks scheduled for their first attempt");
    private static readonly Counter<long> Retried = Meter.CreateCounter<long>("orchestration.tasks.retried", "{task}", "Further attempts scheduled after a failure or a timeout");
    private static readonly Counter<long> Confirmed = Meter.CreateCounter<long>("orchestration.tasks.confirmed", "{task}", "Tasks confirmed (their first result accepted)");
    private static readonly Counter<long> TimedOut = Meter.CreateCounter<long>("orchestration.tasks.timed_out", "{task}", "Attempts that passed their deadline");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("orchestration.tasks.duplicates_dropped", "{message}", "Results that had already been acted on, dropped");

    /// <summary>Counts what the stored events say happened to tasks; called only once they are stored.</summary>
    internal static void Stored(IReadOnlyList<IProcessEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            switch (events[i])
            {
                case TaskScheduled { Attempt: 1 }: Scheduled.Add(1); break;
                case TaskScheduled: Retried.Add(1); break;
                case TaskConfirmed: Confirmed.Add(1); break;
                case TaskTimedOut or TaskAttemptFailed { TimedOut: true }: TimedOut.Add(1); break;
            }
        }
    }

    internal static void DuplicateDropped() => Duplicates.Add(1);
}
