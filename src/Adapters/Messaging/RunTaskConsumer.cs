using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.Adapters.Hosting;
using Orchestration.DataProcessing.Workers;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// A worker's end of the task queue: competes for <see cref="RunTask"/>, tells its orchestrator it started it
/// (<see cref="TaskStarted"/>: the attempt's timeout runs from then, not from when it was queued), runs it, and sends
/// <see cref="TaskCompleted"/> or <see cref="TaskFailed"/>; while it runs, it sends a <see cref="TaskHeartbeat"/>
/// every <see cref="RunTask.HeartbeatEvery"/>. A task cancelled by shutdown is not acknowledged, so the broker
/// hands it to another worker.
/// </summary>
public sealed class RunTaskConsumer(TaskRunner runner, FaultInjection faults, ResultsAddress results, RunningTasks running) : IConsumer<RunTask>
{
    public async Task Consume(ConsumeContext<RunTask> context)
    {
        var task = context.Message;
        if (faults.Kill()) System.Diagnostics.Process.GetCurrentProcess().Kill(); // a worker dying mid-task, as with SIGKILL
        var orchestrator = await context.GetSendEndpoint(results.Address);
        await orchestrator.Send(new TaskStarted(task.ProcessId, task.TaskId, task.Attempt, runner.Worker, DateTimeOffset.UtcNow), context.CancellationToken);
        if (faults.Latency() is { } latency && latency > TimeSpan.Zero) await Task.Delay(latency, context.CancellationToken);
        TaskOutcome outcome;
        using (running.Start(task.TaskId))
        using (var beating = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken))
        {
            var beats = task.HeartbeatEvery > TimeSpan.Zero ? BeatAsync(context, task, beating.Token) : Task.CompletedTask;
            try
            {
                outcome = await runner.RunAsync(task, context.CancellationToken);
            }
            finally
            {
                await beating.CancelAsync();
                await beats;
            }
        }
        for (var copies = faults.Duplicate() ? 2 : 1; copies > 0; copies--)
        {
            if (outcome.Completed is { } completed) await orchestrator.Send(completed);
            else await orchestrator.Send(outcome.Failed!);
        }
    }

    private async Task BeatAsync(ConsumeContext context, RunTask task, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(task.HeartbeatEvery);
        var orchestrator = await context.GetSendEndpoint(results.Address);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                await orchestrator.Send(new TaskHeartbeat(task.ProcessId, task.TaskId, task.Attempt, runner.Worker, DateTimeOffset.UtcNow), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the task ended: no more beats
        }
    }
}
