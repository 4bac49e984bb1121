namespace Orchestration.Graphs;

/// <summary>
/// How long an attempt may run and how often a task is tried. Attempt <c>n ≥ 2</c> waits
/// <c>min(BaseDelay · 2^(n-2), MaxDelay)</c> before it is sent (exponential backoff).
/// An attempt may wait <see cref="QueueTimeout"/> for a worker to start it, so a step of many tasks on few workers
/// is not timed out while its tasks wait their turn. Once a worker starts it, <see cref="TaskTimeout"/> is a hard cap
/// from its start (the worker stops the step there too), and its worker must beat: an attempt is late
/// <see cref="HeartbeatTimeout"/> after its start or its last heartbeat, so a frozen or dead worker is noticed soon,
/// but no heartbeat moves the deadline past the cap.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan TaskTimeout, TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan HeartbeatTimeout)
{
    public static readonly RetryPolicy Default = new(3, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));

    /// <summary>
    /// How long an attempt may wait in its queue before a worker starts it: the queue of a worker that is gone, or of a
    /// label no live worker has, is not waited on for ever. Long by default: a deep queue is normal work.
    /// </summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// For a C# step that reports progress from its own code: each report allows the attempt one more task timeout from
    /// then, up to this long from its start (zero: progress extends nothing, the task timeout holds).
    /// </summary>
    public TimeSpan ProgressExtendsUpTo { get; init; }

    /// <summary>When an attempt started at <paramref name="start"/> that reports progress at <paramref name="now"/> must end: one more task timeout, within the extension's limit.</summary>
    public DateTimeOffset CapAfterProgress(DateTimeOffset start, DateTimeOffset now) =>
        now + TaskTimeout < start + ProgressExtendsUpTo ? now + TaskTimeout : start + ProgressExtendsUpTo;

    /// <summary>
    /// How long an attempt may wait for a worker to start it. One meant for one named worker (a step placed on all
    /// matching workers) waits at most its task timeout: that worker's own queue is short, and if the worker is gone
    /// no other will take the task, so waiting the whole queue timeout would only delay the retry.
    /// </summary>
    public TimeSpan QueueWait(bool forOneWorker) => forOneWorker && TaskTimeout < QueueTimeout ? TaskTimeout : QueueTimeout;

    /// <summary>How long a started attempt may go before its first heartbeat: the heartbeat timeout, or the task timeout if shorter.</summary>
    public TimeSpan UntilFirstBeat => HeartbeatTimeout < TaskTimeout ? HeartbeatTimeout : TaskTimeout;

    /// <summary>How often a worker beats: three beats per heartbeat timeout, so one lost beat does not time a task out.</summary>
    public TimeSpan HeartbeatInterval => HeartbeatTimeout / 3;

    public TimeSpan BackoffBefore(int attempt)
    {
        if (attempt <= 1) return TimeSpan.Zero;
        var factor = Math.Pow(2, Math.Min(attempt - 2, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(BaseDelay.Ticks * factor, MaxDelay.Ticks));
        return delay;
    }

    public override string ToString() => $"{MaxAttempts} attempts, {TaskTimeout} timeout once started, {QueueTimeout} in the queue, backoff {BaseDelay}..{MaxDelay}";
}
