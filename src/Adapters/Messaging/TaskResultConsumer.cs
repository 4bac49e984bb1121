using MassTransit;
using Microsoft.Extensions.Logging;
using Orchestration.Contracts.Messages;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The orchestrator's end of the workers' events: each becomes a command to the process aggregate. A result the
/// aggregate refuses (an unknown task) is logged and acknowledged; a store failure is thrown, so the broker redelivers.
/// </summary>
public sealed class TaskResultConsumer(ProcessRuntime runtime, ILogger<TaskResultConsumer> logger) :
    IConsumer<TaskCompleted>, IConsumer<TaskFailed>, IConsumer<TaskHeartbeat>
{
    public Task Consume(ConsumeContext<TaskCompleted> context) => SendAsync(ConfirmTask.From(context.Message));

    public Task Consume(ConsumeContext<TaskFailed> context) => SendAsync(FailTask.From(context.Message));

    public Task Consume(ConsumeContext<TaskHeartbeat> context) => SendAsync(RecordHeartbeat.From(context.Message));

    private async Task SendAsync(IProcessCommand command)
    {
        try
        {
            var decision = await runtime.SendAsync(command);
            if (decision.Dropped is { } dropped)
                logger.LogDebug("Dropped {Command}: {Reason}", command, dropped);
        }
        catch (DomainError refused)
        {
            logger.LogWarning("Refused {Command}: {Error} ({Name})", command, refused.Message, refused.Name);
        }
    }
}
