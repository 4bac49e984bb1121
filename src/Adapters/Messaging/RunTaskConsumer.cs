using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.Adapters.Configuration;
using Orchestration.DataProcessing.Workers;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// A worker's end of the task queue: competes for <see cref="RunTask"/>, runs it, and sends its orchestrator
/// <see cref="TaskCompleted"/> or <see cref="TaskFailed"/>. A task still running after <see cref="ReportStartAfter"/>
/// (or at once, when its queue deadline is near) is reported started (<see cref="TaskStarted"/>: its task timeout runs
/// from then, not from when it was queued), then reported alive with a <see cref="TaskHeartbeat"/> every
/// <see cref="RunTask.HeartbeatEvery"/>. A task cancelled by shutdown is not acknowledged, so the broker hands it to
/// another worker.
/// </summary>
public sealed class RunTaskConsumer(TaskRunner runner, FaultInjection faults, ResultsAddress results, RunningTasks running) : IConsumer<RunTask>
{
    /// <summary>
    /// A task done sooner never reports its start: it costs no message and no event, and its queue deadline was far off.
    /// One that dies unreported sooner is handed on by the broker (its connection drops), so nothing waits on it.
    /// </summary>
    public static readonly TimeSpan ReportStartAfter = TimeSpan.FromSeconds(1);

    /// <summary>A task taken this close to its queue deadline reports its start at once, before the deadline passes.</summary>
    public static readonly TimeSpan ReportStartAtOnceWithin = TimeSpan.FromMinutes(1);

    public async Task Consume(ConsumeContext<RunTask> context)
    {
        var task = context.Message;
        if (running.IsStopped(task)) return; // its process was cancelled or paused since it was scheduled: taken off the queue, not run
        if (faults.Kill()) System.Diagnostics.Process.GetCurrentProcess().Kill(); // a worker dying mid-task, as with SIGKILL
        var orchestrator = await context.GetSendEndpoint(results.Address);
        TaskOutcome outcome;
        using (var run = running.Start(task))
        using (var work = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, run.Stopped))
        using (var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken))
        {
            var alive = ReportAliveAsync(orchestrator, task, ended.Token);
            try
            {
                if (faults.Latency() is { } latency && latency > TimeSpan.Zero) await Task.Delay(latency, work.Token);
                var ran = System.Diagnostics.Stopwatch.StartNew();
                outcome = await runner.RunAsync(task, work.Token);
                if (faults.SlowedBy(ran.Elapsed) is { } slower && slower > TimeSpan.Zero) await Task.Delay(slower, work.Token);
            }
            catch (OperationCanceledException) when (run.Stopped.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                return; // stopped (its process cancelled, or its copy confirmed first): the slot is free and the message done with, nothing to report
            }
            finally
            {
                await ended.CancelAsync();
                await alive;
            }
        }
        for (var copies = faults.Duplicate() ? 2 : 1; copies > 0; copies--)
        {
            if (outcome.Completed is { } completed) await orchestrator.Send(completed);
            else await orchestrator.Send(outcome.Failed!);
        }
    }

    /// <summary>Reports the start once the task has run a while, then beats; stops when the task ends.</summary>
    private async Task ReportAliveAsync(ISendEndpoint orchestrator, RunTask task, CancellationToken ended)
    {
        try
        {
            var untilDeadline = task.Deadline - DateTimeOffset.UtcNow;
            await Task.Delay(untilDeadline < ReportStartAtOnceWithin ? TimeSpan.Zero : ReportStartAfter, ended);
            await orchestrator.Send(new TaskStarted(task.ProcessId, task.TaskId, task.Attempt, runner.Worker, DateTimeOffset.UtcNow), ended);
            if (task.HeartbeatEvery <= TimeSpan.Zero) return;
            using var timer = new PeriodicTimer(task.HeartbeatEvery);
            while (await timer.WaitForNextTickAsync(ended))
                await orchestrator.Send(new TaskHeartbeat(task.ProcessId, task.TaskId, task.Attempt, runner.Worker, DateTimeOffset.UtcNow), ended);
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // the task ended: nothing more to report
        }
    }
}
