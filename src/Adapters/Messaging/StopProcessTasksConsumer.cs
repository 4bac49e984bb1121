using MassTransit;
using Orchestration.Contracts.Messages;

namespace Orchestration.Adapters.Messaging;

/// <summary>A worker's end of a cancel or a pause: skips the process's queued attempts from now on and, for a cancel, stops its running ones.</summary>
public sealed class StopProcessTasksConsumer(RunningTasks running) : IConsumer<StopProcessTasks>
{
    public Task Consume(ConsumeContext<StopProcessTasks> context)
    {
        running.Stop(context.Message);
        return Task.CompletedTask;
    }
}
