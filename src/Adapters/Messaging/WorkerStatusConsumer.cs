using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Messaging;

/// <summary>The orchestrator's end of the workers' status beats: each updates the registry of live workers.</summary>
public sealed class WorkerStatusConsumer(WorkerRegistry registry) : IConsumer<WorkerStatus>
{
    public Task Consume(ConsumeContext<WorkerStatus> context)
    {
        registry.Record(context.Message);
        return Task.CompletedTask;
    }
}
