using Orchestration.Contracts;

namespace Orchestration.Graphs;

/// <summary>
/// Speculative copies of a step's stragglers (Spark's speculation): once <paramref name="Quantile"/> of the step's tasks
/// are confirmed, an attempt that has run longer than <paramref name="Multiple"/> times the median run time of the
/// confirmed ones gets a copy on another worker; the first of the two to be confirmed wins and the other is stopped.
/// On by default for SQL and shuffle steps (deterministic over immutable inputs, outputs named by attempt); a C# step
/// opts in, as only its author knows it is idempotent.
/// </summary>
public sealed record Speculation(bool On, double Quantile = Speculation.DefaultQuantile, double Multiple = Speculation.DefaultMultiple)
{
    public const double DefaultQuantile = 0.75;
    public const double DefaultMultiple = 1.5;

    public static readonly Speculation Default = new(true);
    public static readonly Speculation Off = new(false);

    /// <summary>What a step speculates with when its graph did not say: SQL and shuffle steps do, C# steps do not.</summary>
    public static Speculation For(StepWork work) => work.Kind == WorkKind.Code ? Off : Default;

    /// <summary>How many of <paramref name="tasks"/> must be confirmed before stragglers are copied.</summary>
    public int ConfirmedBeforeCopies(int tasks) => Math.Max(1, (int)Math.Ceiling(Quantile * tasks));

    public override string ToString() => On ? $"copies of stragglers once {Quantile:P0} are done, past {Multiple:0.##}x the median" : "no speculative copies";
}
