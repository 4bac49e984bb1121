namespace Orchestration.Contracts;

/// <summary>What kind of queue a task's command goes to.</summary>
public enum RouteKind
{
    /// <summary>The shared queue every worker reads (SQL steps placed nowhere in particular).</summary>
    Shared,
    /// <summary>The queue of the task's C# step version, read by every worker that has it.</summary>
    Step,
    /// <summary>The queue of one label, read by every worker that has it.</summary>
    Label,
    /// <summary>One named worker's own queue.</summary>
    Worker,
    /// <summary>Any live worker matching the step's selector: the dispatcher picks one and sends it a <see cref="Worker"/> route.</summary>
    AnyMatching,
}

/// <summary>
/// Where a task's command goes, decided once from its step's placement (and the worker recorded for it), typed so that
/// the transport maps it to a queue without parsing anything.
/// </summary>
public sealed record TaskRoute(RouteKind Kind, string? LabelKey = null, string? LabelValue = null, WorkerId? Worker = null)
{
    public static readonly TaskRoute Shared = new(RouteKind.Shared);
    public static readonly TaskRoute Step = new(RouteKind.Step);
    public static readonly TaskRoute AnyMatching = new(RouteKind.AnyMatching);

    public static TaskRoute ToLabel(string key, string value) => new(RouteKind.Label, key, value);
    public static TaskRoute ToWorker(WorkerId worker) => new(RouteKind.Worker, Worker: worker);

    public override string ToString() => Kind switch
    {
        RouteKind.Label => $"any worker with {LabelKey}={LabelValue}",
        RouteKind.Worker => $"{Worker}",
        RouteKind.AnyMatching => "any matching worker",
        RouteKind.Step => "any worker with its step",
        _ => "any worker",
    };
}
