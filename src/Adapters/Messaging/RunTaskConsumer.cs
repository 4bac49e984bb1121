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
        // The task's shard's queue when it names one (a distributed deployment), else the orchestrator's.
        var orchestrator = await context.GetSendEndpoint(context.ResponseAddress ?? results.Address);
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
                var progress = new ProgressReports(orchestrator, task, runner.Worker);
                outcome = await runner.RunAsync(task, work.Token, progress.Report);
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

    /// <summary>
    /// A C# step's progress reports, passed on to the orchestrator as heartbeats that carry them: at most one a second (a
    /// step may report on every row; the reports in between are left out), sent in the background, so the step never
    /// waits on the broker (a lost one is made good by the next).
    /// </summary>
    private sealed class ProgressReports(ISendEndpoint orchestrator, RunTask task, Contracts.WorkerId worker)
    {
        private static readonly TimeSpan AtMostEvery = TimeSpan.FromSeconds(1);
        private long _lastSent = long.MinValue / 2;

        public void Report(string details)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref _lastSent);
            if (System.Diagnostics.Stopwatch.GetElapsedTime(last, now) < AtMostEvery || Interlocked.CompareExchange(ref _lastSent, now, last) != last) return;
            orchestrator.Send(new TaskHeartbeat(task.ProcessId, task.TaskId, task.Attempt, worker, DateTimeOffset.UtcNow, details))
                .ContinueWith(sent => _ = sent.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }
}
