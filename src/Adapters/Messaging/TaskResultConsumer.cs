using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The orchestrator's end of the workers' events: each becomes a command to the process aggregate. A result the
/// aggregate refuses (an unknown task) is logged and acknowledged; a store failure is thrown, so the broker redelivers.
/// In a sharded deployment, a result for a process of a shard owned elsewhere is handed on to that shard's queue.
/// A worker's <see cref="TaskResults"/> go to the runtime all at once, so they share its appends (group commit), and the
/// message is acknowledged when every one is recorded.
/// </summary>
public sealed class TaskResultConsumer(ProcessRuntime runtime, ILogger<TaskResultConsumer> logger, ShardRouting? shards = null) :
    IConsumer<TaskResults>, IConsumer<TaskCompleted>, IConsumer<TaskFailed>, IConsumer<TaskStarted>, IConsumer<TaskHeartbeat>
{
    public Task Consume(ConsumeContext<TaskResults> context) => Task.WhenAll(context.Message.Outcomes.Select(outcome => outcome switch
    {
        { Completed: { } completed } => SendAsync(context, ConfirmTask.From(completed), "confirm task", completed.TaskId, completed.Attempt,
            outcome.TraceParent, () => ForwardAsync(context, completed, completed.ProcessId)),
        { Failed: { } failed } => SendAsync(context, FailTask.From(failed), "fail task", failed.TaskId, failed.Attempt,
            outcome.TraceParent, () => ForwardAsync(context, failed, failed.ProcessId)),
        _ => throw new ArgumentException("A reported outcome carries neither a completion nor a failure: the worker that sent it is broken.", nameof(context)),
    }));

    public Task Consume(ConsumeContext<TaskCompleted> context) =>
        SendAsync(context, ConfirmTask.From(context.Message), "confirm task", context.Message.TaskId, context.Message.Attempt);

    public Task Consume(ConsumeContext<TaskFailed> context) =>
        SendAsync(context, FailTask.From(context.Message), "fail task", context.Message.TaskId, context.Message.Attempt);

    public Task Consume(ConsumeContext<TaskStarted> context) =>
        SendAsync(context, RecordTaskStart.From(context.Message), "record task start", context.Message.TaskId, context.Message.Attempt);

    public Task Consume(ConsumeContext<TaskHeartbeat> context) =>
        SendAsync(context, RecordHeartbeat.From(context.Message), "record heartbeat", context.Message.TaskId, context.Message.Attempt);

    /// <summary>One result of a batch, handed on alone to the shard that owns its process.</summary>
    private async Task ForwardAsync<T>(ConsumeContext context, T result, ProcessId process) where T : class =>
        await (await context.GetSendEndpoint(shards!.AddressOf(process))).Send(result);

    /// <param name="traceParent">The task's trace, when the message that carried the result belongs to none (a batch).</param>
    /// <param name="forward">Hands the result to the shard that owns its process; by default the whole message goes.</param>
    private async Task SendAsync<T>(ConsumeContext<T> context, IProcessCommand command, string spanName, TaskId task, int attempt,
        string? traceParent = null, Func<Task>? forward = null) where T : class
    {
        if (shards is not null && !shards.IsHere(command.ProcessId))
        {
            await (forward?.Invoke() ?? context.Forward(shards.AddressOf(command.ProcessId)));
            return;
        }
        // A child of MassTransit's consume span, itself a child of the worker's send (or of the worker's consume span, for
        // a result that came in a batch): the task's trace ends here.
        using var span = EngineTelemetry.StartTaskSpan(spanName, command.ProcessId, task, attempt, traceParent);
        try
        {
            var decision = await runtime.SendAsync(command);
            EngineTelemetry.Decided(span, decision);
            if (decision.Dropped is { } dropped)
                logger.LogDebug("Dropped {Command}: {Reason}", command, dropped);
        }
        catch (DomainError refused)
        {
            span?.SetStatus(ActivityStatusCode.Error, refused.Name);
            logger.LogWarning("Refused {Command}: {Error} ({Name})", command, refused.Message, refused.Name);
        }
    }
}
