using MassTransit;
using Orchestration.Contracts.Messages;

namespace Orchestration.Adapters.Messaging;

/// <summary>A worker's end of a cancel: stops the process's running tasks and skips its queued ones from now on.</summary>
public sealed class StopProcessTasksConsumer(RunningTasks running) : IConsumer<StopProcessTasks>
{
    public Task Consume(ConsumeContext<StopProcessTasks> context)
    {
        running.Stop(context.Message.ProcessId);
        return Task.CompletedTask;
    }
}
