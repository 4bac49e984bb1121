using System.Diagnostics;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Runtime;

/// <summary>
/// Sends tasks with one "dispatch task" span each, the root of that task's trace: the span is current while its
/// send starts, so the broker's send span, the worker's spans and the confirmation all join the task's trace
/// (the transport carries the trace context in the message headers). Only used while someone listens.
/// </summary>
internal static class DispatchSpans
{
    public static async Task<int> SendAsync(ITaskQueue queue, IReadOnlyList<RunTask> tasks, CancellationToken cancellationToken)
    {
        var outer = Activity.Current;
        var spans = new Activity?[tasks.Count];
        var sends = new Task<int>[tasks.Count];
        try
        {
            for (var i = 0; i < tasks.Count; i++)
            {
                // A new root per task: a task's trace should not hang off whatever happened to be current.
                Activity.Current = null;
                spans[i] = Start(tasks[i]);
                sends[i] = queue.SendAsync([tasks[i]], cancellationToken: cancellationToken);
            }
        }
        finally
        {
            Activity.Current = outer;
        }
        try
        {
            return (await Task.WhenAll(sends.Where(s => s is not null))).Sum();
        }
        finally
        {
            for (var i = 0; i < spans.Length; i++)
            {
                if (sends[i] is { IsFaulted: true } failed) spans[i]?.SetStatus(ActivityStatusCode.Error, failed.Exception?.InnerException?.Message);
                spans[i]?.Stop();
            }
            Activity.Current = outer;
        }
    }

    private static Activity? Start(RunTask task)
    {
        var span = EngineTelemetry.StartTaskSpan("dispatch task", task.ProcessId, task.TaskId, task.Attempt);
        span?.SetTag(SpanTags.Step, task.Step);
        return span;
    }
}
