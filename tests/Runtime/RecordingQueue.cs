using System.Collections.Concurrent;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Tests.Runtime;

/// <summary>A task queue that remembers what was sent, standing in for the broker where the test is about the sender.</summary>
internal sealed class RecordingQueue(bool isDurable) : ITaskQueue
{
    public ConcurrentQueue<RunTask> Sent { get; } = new();

    /// <summary>Each send's tasks, with how many of them the dispatcher let share a message.</summary>
    public ConcurrentQueue<(IReadOnlyList<RunTask> Tasks, int MostPerMessage)> Sends { get; } = new();

    public bool IsDurable => isDurable;

    public Task<int> SendAsync(IReadOnlyList<RunTask> tasks, int mostPerMessage = 1, CancellationToken cancellationToken = default)
    {
        foreach (var task in tasks) Sent.Enqueue(task);
        Sends.Enqueue((tasks, mostPerMessage));
        return Task.FromResult((tasks.Count + Math.Max(1, mostPerMessage) - 1) / Math.Max(1, mostPerMessage));
    }

    public ConcurrentQueue<StopProcessTasks> Stops { get; } = new();

    public Task StopAsync(StopProcessTasks stop, CancellationToken cancellationToken = default)
    {
        Stops.Enqueue(stop);
        return Task.CompletedTask;
    }
}
