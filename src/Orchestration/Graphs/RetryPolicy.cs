namespace Orchestration.Graphs;

/// <summary>
/// How long an attempt may run and how often a task is tried. Attempt <c>n ≥ 2</c> waits
/// <c>min(BaseDelay · 2^(n-2), MaxDelay)</c> before it is sent (exponential backoff).
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan TaskTimeout, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static readonly RetryPolicy Default = new(3, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    public TimeSpan BackoffBefore(int attempt)
    {
        if (attempt <= 1) return TimeSpan.Zero;
        var factor = Math.Pow(2, Math.Min(attempt - 2, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(BaseDelay.Ticks * factor, MaxDelay.Ticks));
        return delay;
    }

    public override string ToString() => $"{MaxAttempts} attempts, {TaskTimeout} timeout, backoff {BaseDelay}..{MaxDelay}";
}
