namespace Orchestration.Operations.Scaling;

/// <summary>
/// How many workers a task queue needs: <c>ceil(ready / PerWorker)</c>, bounded by <see cref="Min"/> and
/// <see cref="Max"/>. Pure: the caller brings the observation and the time, and keeps the returned state.
/// </summary>
/// <remarks>
/// Scaling up is immediate: a burst is served at once. Scaling down waits until every reading for a whole
/// <see cref="CoolDown"/> asked for fewer workers than are running, then goes down only to the highest of those
/// readings. A single reading at or above the current count starts the wait again, so a queue that hovers around a
/// boundary, or the gaps between a burst's batches, never make the pool flap. Stopping a worker costs its warm
/// sandboxes and possibly a handed-back task; starting one late costs only latency, so the bias is towards staying up.
/// This is the shape of Kubernetes' HPA scale-down stabilisation window, which KEDA's deployment uses too.
/// </remarks>
public sealed record ScalingPolicy(int Min, int Max, int PerWorker, TimeSpan CoolDown)
{
    /// <summary>The defaults of <c>orch scale</c>; deploy/k8s's KEDA ScaledObject repeats them (a test keeps the two equal).</summary>
    public static readonly ScalingPolicy Default = new(Min: 1, Max: 8, PerWorker: 50, CoolDown: TimeSpan.FromSeconds(60));

    /// <summary>Every problem with the bounds at once, as one-line messages naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Min < 0) problems.Add($"--min must be 0 or more, not {Min}.");
        if (Max < 1) problems.Add($"--max must be 1 or more, not {Max}.");
        if (Max < Min) problems.Add($"--max ({Max}) must not be below --min ({Min}).");
        if (PerWorker < 1) problems.Add($"--per-worker must be 1 or more, not {PerWorker}.");
        if (CoolDown < TimeSpan.Zero) problems.Add($"--cool-down-seconds must be 0 or more, not {CoolDown.TotalSeconds:0}.");
        return problems;
    }

    /// <summary>The state before any reading: the pool starts at <see cref="Min"/>.</summary>
    public ScalingState Start() => new(Min, LowSince: null, LowPeak: 0);

    /// <summary>The workers the ready messages alone call for, within the bounds.</summary>
    public int Recommend(long ready) => (int)Math.Clamp(Needed(ready), Min, Max);

    private long Needed(long ready) => (Math.Max(ready, 0) + PerWorker - 1) / PerWorker;

    public ScalingDecision Decide(ScalingState state, QueueObservation observation, DateTimeOffset now)
    {
        var wanted = Recommend(observation.Ready);
        var demand = $"{observation.Ready} ready / {PerWorker} per worker";
        if (wanted > state.Workers)
            return new(state.Workers, wanted, $"scale up: {demand}{Bounded(observation.Ready)}", state with { Workers = wanted, LowSince = null, LowPeak = 0 });
        if (wanted == state.Workers)
            return new(state.Workers, wanted, $"steady: {demand}{Bounded(observation.Ready)}", state with { LowSince = null, LowPeak = 0 });

        var since = state.LowSince ?? now;
        var peak = Math.Max(state.LowPeak, wanted);
        var waited = now - since;
        if (waited >= CoolDown)
            return new(state.Workers, peak, $"scale down: at most {peak} wanted for {Seconds(waited)} (cool-down {Seconds(CoolDown)})",
                state with { Workers = peak, LowSince = null, LowPeak = 0 });
        return new(state.Workers, state.Workers, $"cooling down: {wanted} wanted, at most {peak} for {Seconds(waited)} of {Seconds(CoolDown)}",
            state with { LowSince = since, LowPeak = peak });
    }

    private string Bounded(long ready)
    {
        var raw = Needed(ready);
        return raw > Max ? $" = {raw}, capped at max {Max}" : raw < Min ? $" = {raw}, raised to min {Min}" : "";
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#} s";
}

/// <summary>
/// What the policy remembers between readings: the workers it asked for, and since when (and for how many at most)
/// every reading has asked for fewer.
/// </summary>
public sealed record ScalingState(int Workers, DateTimeOffset? LowSince, int LowPeak);

/// <summary>One reading's outcome: from <see cref="Current"/> to <see cref="Desired"/> workers, and why.</summary>
public sealed record ScalingDecision(int Current, int Desired, string Reason, ScalingState Next)
{
    public bool Changes => Desired != Current;
}
