using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.Adapters.Configuration;
using Orchestration.DataProcessing.Workers;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// A worker's end of the task queue: competes for <see cref="RunTask"/>, runs it, and sends its orchestrator
/// <see cref="TaskCompleted"/> or <see cref="TaskFailed"/>, gathered with the worker's other results
/// (<see cref="ResultBatches"/>); the task is acknowledged once its result is on the broker. A task still running after <see cref="ReportStartAfter"/>
/// (or at once, when its queue deadline is near) is reported started (<see cref="TaskStarted"/>: its task timeout runs
/// from then, not from when it was queued), then reported alive with a <see cref="TaskHeartbeat"/> every
/// <see cref="RunTask.HeartbeatEvery"/>. A task cancelled by shutdown is not acknowledged, so the broker hands it to
/// another worker.
/// </summary>
public sealed class RunTaskConsumer(TaskRunner runner, FaultInjection faults, ResultsAddress results, RunningTasks running, ResultBatches batches) : IConsumer<RunTask>, IConsumer<RunTasks>
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
        var address = context.ResponseAddress ?? results.Address;
        if (await RunAsync(context, context.Message, address) is { } outcome)
            foreach (var sent in AsSent(outcome))
                await batches.SendAsync(address, sent);
    }

    /// <summary>An outcome as it goes out: once, or twice where the fault drill duplicates results.</summary>
    private ReportedOutcome[] AsSent(ReportedOutcome outcome) => faults.Duplicate() ? [outcome, outcome] : [outcome];

    /// <summary>
    /// A pack's tasks stop waiting behind one of them after this long: the step's tasks were short when the pack was
    /// made, but a skewed partition can run for minutes.
    /// </summary>
    public static readonly TimeSpan HandPackOnAfter = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A pack of short tasks, run in turn in this one slot and reported in one message once all have ended; the pack is
    /// acknowledged when that message is on the broker. If the pack is still running after <see cref="HandPackOnAfter"/>,
    /// the tasks not yet begun go back to the queue one to a message, for any worker, and those already ended are reported.
    /// Shut down midway, nothing is acknowledged, and the broker hands the whole pack on (a result already sent is then a
    /// duplicate the aggregate drops).
    /// </summary>
    public async Task Consume(ConsumeContext<RunTasks> context)
    {
        var address = context.ResponseAddress ?? results.Address;
        var tasks = context.Message.Tasks;
        var outcomes = new List<ReportedOutcome>(tasks.Count);
        using var packEnded = new CancellationTokenSource();
        var late = Task.Delay(HandPackOnAfter, packEnded.Token);
        Task? handedOn = null;
        var reportedEarly = Task.CompletedTask;
        for (var i = 0; i < tasks.Count && handedOn is null; i++)
        {
            if (late.IsCompleted)
            {
                handedOn = HandOnAsync(context, tasks.Skip(i).ToArray()); // the pack as a whole ran long
                break;
            }
            var running = RunAsync(context, tasks[i], address);
            if (i + 1 < tasks.Count && await Task.WhenAny(running, late) == late)
            {
                // This one runs long: the rest go to other slots meanwhile, and what ran before it is reported now, not
                // held for as long as it takes (results are idempotent: if this worker dies, the pack's redelivery is dropped).
                handedOn = HandOnAsync(context, tasks.Skip(i + 1).ToArray());
                reportedEarly = batches.SendAsync(address, outcomes.ToArray());
                outcomes.Clear();
            }
            if (await running is { } outcome) outcomes.AddRange(AsSent(outcome));
        }
        await packEnded.CancelAsync();
        if (handedOn is not null) await handedOn;
        await reportedEarly;
        await batches.SendAsync(address, outcomes);
    }

    /// <summary>Sends <paramref name="tasks"/> back to the queue the pack came from, one to a message, as the dispatcher would.</summary>
    private static async Task HandOnAsync(ConsumeContext context, RunTask[] tasks)
    {
        var input = context.ReceiveContext.InputAddress;
        // On RabbitMQ to the queue's exchange, as the dispatcher sends: a queue address would declare the queue again,
        // without the priority arguments it was declared with.
        var queue = await context.GetSendEndpoint(input.Scheme == "rabbitmq" ? new Uri($"exchange:{input.Segments[^1]}") : input);
        await queue.SendBatch(tasks, send =>
        {
            send.TrySetPriority(send.Message.Priority);
            send.ResponseAddress = context.ResponseAddress;
        });
    }

    /// <summary>Runs one attempt, reporting its start and beats meanwhile; null when it was stopped, with nothing to report.</summary>
    private async Task<ReportedOutcome?> RunAsync(ConsumeContext context, RunTask task, Uri address)
    {
        if (running.IsStopped(task)) return null; // its process was cancelled or paused since it was scheduled: taken off the queue, not run
        if (faults.Kill()) System.Diagnostics.Process.GetCurrentProcess().Kill(); // a worker dying mid-task, as with SIGKILL
        // The task's shard's queue when it names one (a distributed deployment), else the orchestrator's.
        var orchestrator = await context.GetSendEndpoint(address);
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
                return null; // stopped (its process cancelled, or its copy confirmed first): the slot is free, nothing to report
            }
            finally
            {
                await ended.CancelAsync();
                await alive;
            }
        }
        return new ReportedOutcome(outcome.Completed, outcome.Failed, ResultBatches.CurrentTraceParent());
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
