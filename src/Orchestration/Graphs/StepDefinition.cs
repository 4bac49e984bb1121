using System.Text.Json.Serialization;
using Orchestration.Contracts;

namespace Orchestration.Graphs;

/// <summary>
/// One step of a graph: its shape, how it fans out into tasks, what each task reads and what a worker runs.
/// Plain data, stored whole in <c>ProcessStarted</c>, so a running process keeps the definition it started with.
/// </summary>
/// <param name="InputName">The view name under which a task's main blobs appear to its SQL (default <c>input</c>).</param>
/// <param name="SideInputs">Extra named views every task of the step sees in full (e.g. small dimension tables).</param>
/// <param name="After">Steps this one waits for without reading their outputs.</param>
/// <param name="On">The workers the step's tasks run on, by label; null for any worker on the shared queue.</param>
/// <param name="Condition">When the step runs at all (else it is skipped); null for always.</param>
/// <param name="Lists">Metadata lists a SQL step's tasks report: key to the column of the result whose distinct values it lists.</param>
/// <param name="MaxConcurrency">At most this many of the step's tasks scheduled and not yet confirmed at once, across all workers; null for no limit.</param>
/// <param name="Cache">Whether its tasks may reuse a recorded result of the same work over the same bytes; null for the
/// default of its kind of work (SQL and shuffle steps do, unless their SQL reads the clock or chance; C# steps do not).</param>
/// <param name="Speculation">Whether and when its stragglers get copies; null for the default of its kind of work (<see cref="Graphs.Speculation.For"/>).</param>
public sealed partial record StepDefinition(
    string Name,
    StepShape Shape,
    Fanout Fanout,
    StepWork Work,
    string InputName,
    IReadOnlyList<SideInput> SideInputs,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<string> After,
    RetryPolicy Retry,
    Placement? On = null,
    StepCondition? Condition = null,
    IReadOnlyDictionary<string, string>? Lists = null,
    int? MaxConcurrency = null,
    Speculation? Speculation = null,
    bool? Cache = null)
{
    /// <summary>
    /// Whether a task of this step is confirmed from a recorded result with the same cache key instead of running: as its
    /// graph says, else for SQL and shuffle steps whose SQL calls nothing that reads the clock or chance (<c>random()</c>,
    /// <c>now()</c>, ...). A C# step opts in (<c>StepOptions.Cache()</c>): only its author knows it is pure.
    /// </summary>
    [JsonIgnore]
    public bool Reuses => Cache ?? (Work.Kind != WorkKind.Code && !VolatileSql().IsMatch(Work.Body));

    /// <summary>
    /// Whether its tasks get a cache key, under which their results are recorded and compared, reused or not: every step
    /// but a C# step that has not opted in (its outputs may not be its whole effect). Two results for one key that differ
    /// make the step non-deterministic.
    /// </summary>
    [JsonIgnore]
    public bool IsKeyed => Work.Kind != WorkKind.Code || Cache == true;

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(random|now|uuid|gen_random_uuid|today|current_(date|time|timestamp|localtime|localtimestamp)|get_current_(time|timestamp)|transaction_timestamp|setseed)\b",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex VolatileSql();

    /// <summary>
    /// How the step speculates: as its graph says, else as its kind of work does, never when a copy could not run on
    /// another worker (one task per worker) or would break a concurrency limit.
    /// </summary>
    [JsonIgnore]
    public Speculation Speculates => On?.Mode == Target.All || MaxConcurrency is not null ? Graphs.Speculation.Off : Speculation ?? Graphs.Speculation.For(Work);

    /// <summary>Every step this one waits for: those it reads and those it is told to run after.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> DependsOn => Fanout.StepsRead
        .Concat(SideInputs.Where(s => s.Source.Kind == SourceKind.StepOutputs).Select(s => s.Source.Name))
        .Concat(After)
        .Concat(Condition is null ? [] : [Condition.Value.Step])
        .Distinct()
        .ToArray();

    /// <summary>Every source the step reads: its main one, if any, and its side inputs.</summary>
    [JsonIgnore]
    public IEnumerable<DataSource> Sources => SideInputs.Select(s => s.Source).Append(Fanout.MainSource).OfType<DataSource>();

    /// <summary>
    /// Where a task of this step goes, given the worker recorded for it (<paramref name="target"/>, for a step placed on
    /// all matching workers): the one place routing is decided. Placed on any worker with one label, a SQL task goes to
    /// that label's queue; a C# task instead goes to one worker the dispatcher picks with both the label and the step's
    /// version (a worker with the label may lack the version). Placed nowhere, a C# task goes to its step version's queue.
    /// </summary>
    public TaskRoute RouteFor(string? target) => On switch
    {
        null => Work.Kind == WorkKind.Code ? TaskRoute.Step : TaskRoute.Shared,
        { Mode: Target.All } when target is not null => TaskRoute.ToWorker(WorkerId.From(target)),
        { Mode: Target.Any, Selector.SingleLabel: { } label } when Work.Kind != WorkKind.Code => TaskRoute.ToLabel(label.Key, label.Value),
        _ => TaskRoute.AnyMatching,
    };

    public override string ToString() => $"{Shape} '{Name}': {Fanout}, {Work}{(On is null ? "" : $", {On}")}";
}

/// <summary>A named view every task of a step sees in full.</summary>
public sealed record SideInput(string Name, DataSource Source);
