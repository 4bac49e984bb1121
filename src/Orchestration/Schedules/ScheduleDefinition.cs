using Cronos;

namespace Orchestration.Schedules;

/// <summary>What a schedule does with occurrences that passed while no orchestrator was running.</summary>
public enum MissedRunPolicy
{
    /// <summary>Runs the latest due occurrence once and skips the earlier ones: "run now, as of the last slot".</summary>
    Skip,
    /// <summary>Runs every missed occurrence, oldest first, but at most <see cref="ScheduleDefinition.MaxCatchUp"/> of the latest.</summary>
    CatchUp,
}

/// <summary>
/// Runs <paramref name="Graph"/> (its latest version) on a cron schedule, e.g. <c>"0 14 * * *"</c> in Europe/Berlin.
/// Each occurrence starts one process, named by the schedule and the occurrence in UTC (<c>nightly-20261123T1400Z</c>),
/// with <paramref name="Parameters"/> and the occurrence itself as parameters. A scheduled process gets no datasets:
/// its graph reads local files (<c>DataSource.Local</c>) or what its own steps produce.
/// </summary>
/// <param name="Cron">Five fields (minute precision) or six (with seconds first), in Cronos syntax.</param>
/// <param name="TimeZone">The zone the cron fields are read in; daylight-saving changes follow Cronos: a skipped local time runs at the end of the gap, a repeated one runs once.</param>
/// <param name="MaxCatchUp">With <see cref="MissedRunPolicy.CatchUp"/>, how many missed occurrences at most run after a long outage.</param>
public sealed record ScheduleDefinition(
    string Name,
    string Graph,
    string Cron,
    IReadOnlyDictionary<string, string> Parameters,
    MissedRunPolicy Missed,
    TimeZoneInfo TimeZone,
    int MaxCatchUp = 10)
{
    /// <summary>The parsed cron expression; throws <see cref="CronFormatException"/> for a bad one (see <see cref="Problems"/>).</summary>
    public CronExpression Expression => CronExpression.Parse(Cron, Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    /// <summary>Every problem of the definition, empty when it is valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Contracts.LocalInput.IsRootName(Name))
            problems.Add($"schedule name '{Name}' must be 1-64 letters, digits, '_' or '-', starting with a letter (it names the schedule's processes)");
        try { _ = Expression; }
        catch (CronFormatException bad) { problems.Add($"schedule '{Name}': cron '{Cron}' is not valid: {bad.Message}"); }
        if (MaxCatchUp < 1) problems.Add($"schedule '{Name}' must catch up at least 1 occurrence (has {MaxCatchUp})");
        return problems;
    }

    public override string ToString() => $"schedule '{Name}': graph '{Graph}' at '{Cron}' ({TimeZone.Id}), missed runs: {Missed}";
}
