using System.Text.RegularExpressions;
using MassTransit;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The task queue on MassTransit: RunTask commands sent to the shared queue workers compete on, or, for a task meant
/// for one worker (<see cref="RunTask.Worker"/>), to that worker's own queue, which no other worker reads.
/// </summary>
public sealed partial class MassTransitTaskQueue(ISendEndpointProvider endpoints, bool isDurable, string queueName = MassTransitTaskQueue.QueueName, string queuePrefix = "") : ITaskQueue
{
    public const string QueueName = "run-task";

    public bool IsDurable => isDurable;

    public async Task SendAsync(IReadOnlyList<RunTask> tasks, CancellationToken cancellationToken = default)
    {
        foreach (var group in tasks.GroupBy(t => t.Worker))
        {
            var queue = group.Key is { } worker ? WorkerQueue(queuePrefix, worker) : queueName;
            var endpoint = await endpoints.GetSendEndpoint(new Uri($"queue:{queue}"));
            await endpoint.SendBatch(group.ToArray(), cancellationToken);
        }
    }

    /// <summary>The queue only <paramref name="worker"/> reads: <c>{prefix}worker.{name}</c>, the name kept to characters a queue address allows.</summary>
    public static string WorkerQueue(string queuePrefix, WorkerId worker) => $"{queuePrefix}worker.{UnsafeInQueueName().Replace(worker.Value, "_")}";

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeInQueueName();
}
