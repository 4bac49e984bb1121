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
/// </summary>
public sealed class TaskResultConsumer(ProcessRuntime runtime, ILogger<TaskResultConsumer> logger, ShardRouting? shards = null) :
    IConsumer<TaskCompleted>, IConsumer<TaskFailed>, IConsumer<TaskStarted>, IConsumer<TaskHeartbeat>
{
    public Task Consume(ConsumeContext<TaskCompleted> context) =>
        SendAsync(context, ConfirmTask.From(context.Message), "confirm task", context.Message.TaskId, context.Message.Attempt);

    public Task Consume(ConsumeContext<TaskFailed> context) =>
        SendAsync(context, FailTask.From(context.Message), "fail task", context.Message.TaskId, context.Message.Attempt);

    public Task Consume(ConsumeContext<TaskStarted> context) =>
        SendAsync(context, RecordTaskStart.From(context.Message), "record task start", context.Message.TaskId, context.Message.Attempt);

    public Task Consume(ConsumeContext<TaskHeartbeat> context) =>
        SendAsync(context, RecordHeartbeat.From(context.Message), "record heartbeat", context.Message.TaskId, context.Message.Attempt);

    private async Task SendAsync<T>(ConsumeContext<T> context, IProcessCommand command, string spanName, TaskId task, int attempt) where T : class
    {
        if (shards is not null && !shards.IsHere(command.ProcessId))
        {
            await context.Forward(shards.AddressOf(command.ProcessId));
            return;
        }
        // A child of MassTransit's consume span, itself a child of the worker's publish: the task's trace ends here.
        using var span = EngineTelemetry.StartTaskSpan(spanName, command.ProcessId, task, attempt);
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
