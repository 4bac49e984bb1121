using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Adapters.Configuration;

/// <summary>
/// Faults an operator (for a drill) or the chaos tests switch on through configuration (<c>Orchestration:Faults</c>):
/// a share of task commands and of workers' results delivered twice, a share of tasks on which the worker process
/// dies (exits at once, no clean-up), random extra latency per task, and a worker slower than the others by a factor
/// (a straggler's machine). All off by default.
/// </summary>
public sealed record FaultInjection
{
    /// <summary>Share (0..1) of RunTask, TaskCompleted and TaskFailed messages sent a second time.</summary>
    public double DuplicateShare { get; init; }
    /// <summary>Share (0..1) of tasks on which the worker process kills itself before running them.</summary>
    public double KillShare { get; init; }
    /// <summary>Extra latency per task, chosen at random up to this many milliseconds.</summary>
    public int MaxLatencyMs { get; init; }

    /// <summary>Each task on this worker takes this many times as long as it ran (1: no slowdown), as on an overloaded machine.</summary>
    public double Slowdown { get; init; } = 1;

    public static readonly FaultInjection None = new();

    public bool Any => DuplicateShare > 0 || KillShare > 0 || MaxLatencyMs > 0 || Slowdown > 1;

    /// <summary>How much longer a task that ran <paramref name="ran"/> is held before it reports, to take <see cref="Slowdown"/> times as long.</summary>
    public TimeSpan SlowedBy(TimeSpan ran) => Slowdown > 1 ? ran * (Slowdown - 1) : TimeSpan.Zero;

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

    public override string ToString() => $"faults: {DuplicateShare:P0} duplicated, {KillShare:P1} killed, up to {MaxLatencyMs} ms latency{(Slowdown > 1 ? $", {Slowdown:0.#}x slower" : "")}; {Duplicated} duplicates sent";
}

/// <summary>The task queue with a share of its commands sent twice, as a broker may redeliver them.</summary>
public sealed class DuplicatingTaskQueue(ITaskQueue inner, FaultInjection faults) : ITaskQueue
{
    public bool IsDurable => inner.IsDurable;

    public Task<int> SendAsync(IReadOnlyList<RunTask> tasks, int mostPerMessage = 1, CancellationToken cancellationToken = default) =>
        inner.SendAsync(tasks.Concat(tasks.Where(_ => faults.Duplicate())).ToArray(), mostPerMessage, cancellationToken);

    public Task StopAsync(StopProcessTasks stop, CancellationToken cancellationToken = default) => inner.StopAsync(stop, cancellationToken);
}
