using Orchestration.Schedules;

namespace Orchestration.Adapters.Configuration;

/// <summary>A schedule as configuration gives it (<c>Orchestration:Schedules:N</c>), for graphs the deployment already knows.</summary>
public sealed record ScheduleSettings
{
    public string Name { get; init; } = "";
    public string Graph { get; init; } = "";
    public string Cron { get; init; } = "";
    /// <summary><c>Skip</c> (the default) or <c>CatchUp</c>.</summary>
    public MissedRunPolicy Missed { get; init; } = MissedRunPolicy.Skip;
    /// <summary>An IANA or Windows zone id; UTC by default.</summary>
    public string TimeZone { get; init; } = "UTC";
    public int MaxCatchUp { get; init; } = 10;
    public Dictionary<string, string> Parameters { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The definition; throws <see cref="InvalidOperationException"/> naming the schedule when its time zone is unknown.</summary>
    public ScheduleDefinition ToDefinition()
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone))
            throw new InvalidOperationException($"schedule '{Name}': time zone '{TimeZone}' is unknown");
        return new ScheduleDefinition(Name, Graph, Cron, Parameters, Missed, zone, MaxCatchUp);
    }
}
