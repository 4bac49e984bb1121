using System.Text.RegularExpressions;
using MassTransit;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The task queue on MassTransit: RunTask commands sent to the shared queue workers compete on, or, for a task meant
/// for one worker (<see cref="RunTask.Worker"/>), to that worker's own queue, which no other worker reads, or, for any
/// worker with a label (<see cref="RunTask.Label"/>), to that label's queue, which only such workers read; a C# step's
/// task for any worker goes to that step's version's queue, which only workers that have the version read.
/// </summary>
public sealed partial class MassTransitTaskQueue(ISendEndpointProvider endpoints, bool isDurable, string queueName = MassTransitTaskQueue.QueueName, string queuePrefix = "") : ITaskQueue
{
    public const string QueueName = "run-task";

    public bool IsDurable => isDurable;

    public async Task SendAsync(IReadOnlyList<RunTask> tasks, CancellationToken cancellationToken = default)
    {
        foreach (var group in tasks.GroupBy(t => t.Worker is { } worker ? WorkerQueue(queuePrefix, worker)
                     : t.Label is { } label ? LabelQueue(queuePrefix, label)
                     : t.Work.CodeStep is not null ? StepQueue(queuePrefix, t.Work.Body, t.Work.Version)
                     : queueName))
        {
            var queue = group.Key;
            var endpoint = await endpoints.GetSendEndpoint(new Uri($"queue:{queue}"));
            await endpoint.SendBatch(group.ToArray(), cancellationToken);
        }
    }

    /// <summary>
    /// Every queue a worker reads: the shared one, its own (tasks meant for it alone, kept while it restarts), one per
    /// label it has (tasks for any worker with that label, which it competes for with the others that have it) and one
    /// per C# step version it has (<c>name@version</c>; that step's tasks, which no worker without the version sees).
    /// </summary>
    public static IEnumerable<string> QueuesOf(string queuePrefix, WorkerId worker, IReadOnlyDictionary<string, string> labels, IEnumerable<string>? steps = null) =>
        [queuePrefix + QueueName, WorkerQueue(queuePrefix, worker), .. labels.Select(label => LabelQueue(queuePrefix, $"{label.Key}={label.Value}")),
         .. (steps ?? []).Select(step => step.Split('@') is [var name, var version] ? StepQueue(queuePrefix, name, int.Parse(version, System.Globalization.CultureInfo.InvariantCulture))
             : throw new ArgumentException($"A C# step is announced as name@version, not '{step}'.", nameof(steps)))];

    /// <summary>The queue of one C# step version, read by every worker that has it: <c>{prefix}step.{name}.v{version}</c>.</summary>
    public static string StepQueue(string queuePrefix, string name, int version) => $"{queuePrefix}{StepQueuePrefix}{UnsafeInQueueName().Replace(name, "_")}.v{version}";

    /// <summary>What every C# step version's queue name starts with, after the deployment's prefix.</summary>
    public const string StepQueuePrefix = "step.";

    /// <summary>The queue only <paramref name="worker"/> reads: <c>{prefix}worker.{name}</c>, the name kept to characters a queue address allows.</summary>
    public static string WorkerQueue(string queuePrefix, WorkerId worker) => $"{queuePrefix}worker.{UnsafeInQueueName().Replace(worker.Value, "_")}";

    /// <summary>
    /// The queue every worker with a label (<c>key=value</c>) reads and competes on: <c>{prefix}label.{key}.{value}</c>.
    /// </summary>
    public static string LabelQueue(string queuePrefix, string label)
    {
        var (key, value) = label.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException($"A label is key=value, not '{label}'.", nameof(label));
        return $"{queuePrefix}label.{UnsafeInQueueName().Replace(key, "_")}.{UnsafeInQueueName().Replace(value, "_")}";
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeInQueueName();
}
