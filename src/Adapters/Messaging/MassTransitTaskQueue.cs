using System.Text.RegularExpressions;
using MassTransit;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The task queue on MassTransit: each RunTask goes where its <see cref="RunTask.Route"/> says: the shared queue workers
/// compete on, one worker's own queue (no other worker reads it), a label's queue (only workers with the label read it),
/// or its C# step version's queue (only workers that have the version read it). Each task carries its process's
/// priority, which a RabbitMQ priority queue orders by.
/// </summary>
/// <param name="publish">Where a stop for a cancelled process goes to every worker (the bus); null where nothing stops.</param>
/// <param name="priorityQueues">On RabbitMQ: declares each queue with priorities before the first send, which then goes to
/// the queue's exchange; null for a transport that declares nothing (in memory, where queues are first in, first out).</param>
/// <param name="shards">Where each task's results go (its process's shard's queue, as the task's response address); null: the worker's default.</param>
public sealed partial class MassTransitTaskQueue(ISendEndpointProvider endpoints, bool isDurable, string queueName = MassTransitTaskQueue.QueueName, string queuePrefix = "",
    IPublishEndpoint? publish = null, PriorityTaskQueues? priorityQueues = null, ShardRouting? shards = null) : ITaskQueue
{
    public const string QueueName = "run-task";

    public bool IsDurable => isDurable;

    public async Task<int> SendAsync(IReadOnlyList<RunTask> tasks, int mostPerMessage = 1, CancellationToken cancellationToken = default)
    {
        var messages = 0;
        foreach (var group in tasks.GroupBy(QueueOf))
        {
            var queue = group.Key;
            if (priorityQueues is not null) await priorityQueues.EnsureAsync(queue, cancellationToken);
            var endpoint = await endpoints.GetSendEndpoint(new Uri(priorityQueues is null ? $"queue:{queue}" : $"exchange:{queue}"));
            if (mostPerMessage <= 1)
            {
                var each = group.ToArray();
                await endpoint.SendBatch(each, context => Address(context, context.Message), cancellationToken);
                messages += each.Length;
                continue;
            }
            // Packed per process and step (so a pack has one priority and one results address), at most mostPerMessage each.
            var packs = group.GroupBy(t => (t.ProcessId, t.Step)).SelectMany(step => step.Chunk(mostPerMessage)).ToList();
            var singles = packs.Where(p => p.Length == 1).Select(p => p[0]).ToArray();
            if (singles.Length > 0) await endpoint.SendBatch(singles, context => Address(context, context.Message), cancellationToken);
            var packed = packs.Where(p => p.Length > 1).Select(p => new RunTasks(p)).ToArray();
            if (packed.Length > 0) await endpoint.SendBatch(packed, context => Address(context, context.Message.Tasks[0]), cancellationToken);
            messages += packs.Count;
        }
        return messages;
    }

    /// <summary>Orders the message by its process's priority, and names where its results go in a sharded deployment.</summary>
    private void Address(SendContext context, RunTask task)
    {
        context.TrySetPriority(task.Priority);
        if (shards is not null) context.ResponseAddress = shards.AddressOf(task.ProcessId);
    }

    public Task StopAsync(StopProcessTasks stop, CancellationToken cancellationToken = default) =>
        publish?.Publish(stop, cancellationToken) ?? Task.CompletedTask;

    private string QueueOf(RunTask task) => task.Route switch
    {
        null or { Kind: RouteKind.Shared } => queueName,
        { Kind: RouteKind.Step } => StepQueue(queuePrefix, task.Work.Body, task.Work.Version),
        { Kind: RouteKind.Label, LabelKey: { } key, LabelValue: { } value } => LabelQueue(queuePrefix, key, value),
        { Kind: RouteKind.Worker, Worker: { } worker } => WorkerQueue(queuePrefix, worker),
        _ => throw new ArgumentException($"Task {task.TaskId} has the route '{task.Route}', which names no queue: the dispatcher picks a worker for it first.", nameof(task)),
    };

    /// <summary>
    /// Every queue a worker reads: the shared one, its own (tasks meant for it alone, kept while it restarts), one per
    /// label it has (tasks for any worker with that label, which it competes for with the others that have it) and one
    /// per C# step version it has (<c>name@version</c>; that step's tasks, which no worker without the version sees).
    /// </summary>
    public static IEnumerable<string> QueuesOf(string queuePrefix, WorkerId worker, IReadOnlyDictionary<string, string> labels, IEnumerable<string>? steps = null) =>
        [queuePrefix + QueueName, WorkerQueue(queuePrefix, worker), .. labels.Select(label => LabelQueue(queuePrefix, label.Key, label.Value)),
         .. (steps ?? []).Select(step => step.Split('@') is [var name, var version] ? StepQueue(queuePrefix, name, int.Parse(version, System.Globalization.CultureInfo.InvariantCulture))
             : throw new ArgumentException($"A C# step is announced as name@version, not '{step}'.", nameof(steps)))];

    /// <summary>The queue of one C# step version, read by every worker that has it: <c>{prefix}step.{name}.v{version}</c>.</summary>
    public static string StepQueue(string queuePrefix, string name, int version) => $"{queuePrefix}{StepQueuePrefix}{UnsafeInQueueName().Replace(name, "_")}.v{version}";

    /// <summary>What every C# step version's queue name starts with, after the deployment's prefix.</summary>
    public const string StepQueuePrefix = "step.";

    /// <summary>The queue only <paramref name="worker"/> reads: <c>{prefix}worker.{name}</c>, the name kept to characters a queue address allows.</summary>
    public static string WorkerQueue(string queuePrefix, WorkerId worker) => $"{queuePrefix}worker.{UnsafeInQueueName().Replace(worker.Value, "_")}";

    /// <summary>The queue every worker with a label reads and competes on: <c>{prefix}label.{key}.{value}</c>.</summary>
    public static string LabelQueue(string queuePrefix, string key, string value) =>
        $"{queuePrefix}label.{UnsafeInQueueName().Replace(key, "_")}.{UnsafeInQueueName().Replace(value, "_")}";

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeInQueueName();
}
