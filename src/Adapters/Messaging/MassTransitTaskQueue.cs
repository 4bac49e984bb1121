using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Adapters.Messaging;

/// <summary>The task queue on MassTransit: RunTask commands sent to the queue workers compete on.</summary>
public sealed class MassTransitTaskQueue(ISendEndpointProvider endpoints, bool isDurable, string queueName = MassTransitTaskQueue.QueueName) : ITaskQueue
{
    public const string QueueName = "run-task";

    public bool IsDurable => isDurable;

    public async Task SendAsync(IReadOnlyList<RunTask> tasks, CancellationToken cancellationToken = default)
    {
        var endpoint = await endpoints.GetSendEndpoint(new Uri($"queue:{queueName}"));
        await endpoint.SendBatch(tasks, cancellationToken);
    }
}
