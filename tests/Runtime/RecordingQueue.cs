using System.Collections.Concurrent;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Tests.Runtime;

/// <summary>A task queue that remembers what was sent, standing in for the broker where the test is about the sender.</summary>
internal sealed class RecordingQueue(bool isDurable) : ITaskQueue
{
    public ConcurrentQueue<RunTask> Sent { get; } = new();

    public bool IsDurable => isDurable;

    public Task SendAsync(IReadOnlyList<RunTask> tasks, CancellationToken cancellationToken = default)
    {
        foreach (var task in tasks) Sent.Enqueue(task);
        return Task.CompletedTask;
    }

    public ConcurrentQueue<StopProcessTasks> Stops { get; } = new();

    public Task StopAsync(StopProcessTasks stop, CancellationToken cancellationToken = default)
    {
        Stops.Enqueue(stop);
        return Task.CompletedTask;
    }
}
