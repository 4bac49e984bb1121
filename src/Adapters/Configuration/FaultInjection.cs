using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Adapters.Configuration;

/// <summary>
/// Faults an operator (for a drill) or the chaos tests switch on through configuration (<c>Orchestration:Faults</c>):
/// a share of task commands and of workers' results delivered twice, a share of tasks on which the worker process
/// dies (exits at once, no clean-up), and random extra latency per task. All off by default.
/// </summary>
public sealed record FaultInjection
{
    /// <summary>Share (0..1) of RunTask, TaskCompleted and TaskFailed messages sent a second time.</summary>
    public double DuplicateShare { get; init; }
    /// <summary>Share (0..1) of tasks on which the worker process kills itself before running them.</summary>
    public double KillShare { get; init; }
    /// <summary>Extra latency per task, chosen at random up to this many milliseconds.</summary>
    public int MaxLatencyMs { get; init; }

    public static readonly FaultInjection None = new();

    public bool Any => DuplicateShare > 0 || KillShare > 0 || MaxLatencyMs > 0;

    private long _duplicated;
    /// <summary>How many extra copies this process sent.</summary>
    public long Duplicated => Interlocked.Read(ref _duplicated);

    public bool Duplicate()
    {
        if (DuplicateShare <= 0 || Random.Shared.NextDouble() >= DuplicateShare) return false;
        Interlocked.Increment(ref _duplicated);
        return true;
    }

    public bool Kill() => KillShare > 0 && Random.Shared.NextDouble() < KillShare;


    public TimeSpan Latency() => MaxLatencyMs > 0 ? TimeSpan.FromMilliseconds(Random.Shared.Next(MaxLatencyMs)) : TimeSpan.Zero;

    public override string ToString() => $"faults: {DuplicateShare:P0} duplicated, {KillShare:P1} killed, up to {MaxLatencyMs} ms latency; {Duplicated} duplicates sent";
}

/// <summary>The task queue with a share of its commands sent twice, as a broker may redeliver them.</summary>
public sealed class DuplicatingTaskQueue(ITaskQueue inner, FaultInjection faults) : ITaskQueue
{
    public bool IsDurable => inner.IsDurable;

    public Task SendAsync(IReadOnlyList<RunTask> tasks, CancellationToken cancellationToken = default) =>
        inner.SendAsync(tasks.Concat(tasks.Where(_ => faults.Duplicate())).ToArray(), cancellationToken);

    public Task StopAsync(StopProcessTasks stop, CancellationToken cancellationToken = default) => inner.StopAsync(stop, cancellationToken);
}
