using Orchestration.Adapters.Messaging;

namespace Orchestration.Operations.Scaling;

/// <summary>
/// Reads the task queue, and every C# step version's queue beside it, through RabbitMQ's management API. The broker refreshes these figures every few seconds
/// (its statistics interval, 5 s by default), which the cool-down easily absorbs.
/// </summary>
public sealed class QueueProbe(RabbitMqManagement management, string queue)
{
    public string Queue => queue;

    /// <summary>The queue's depth now; a queue not declared yet (no worker or orchestrator has started) has nothing waiting.</summary>
    public async Task<QueueObservation> ReadAsync(CancellationToken cancellationToken)
    {
        var depth = await management.WorkDepthAsync(queue, cancellationToken);
        return depth is null ? new QueueObservation(0, 0, 0) : new QueueObservation(depth.Ready, depth.Unacknowledged, depth.Consumers);
    }
}
