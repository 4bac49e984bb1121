using System.Globalization;
using Orchestration.Contracts;

namespace Orchestration.Schedules;

/// <summary>The occurrences to fire now, how many missed ones are passed over, and when the schedule is next due.</summary>
public sealed record ScheduleDecision(IReadOnlyList<DateTimeOffset> Fire, int Skipped, DateTimeOffset? Next);

/// <summary>
/// When a schedule fires, as a pure function of its definition, its last firing (from its stream) and the time now.
/// <para>
/// Due are the occurrences after the last firing, up to and including now. A schedule that never fired counts from
/// <c>watchingSince</c> (when the orchestrator began to watch it), so deploying a schedule never runs its past.
/// <see cref="MissedRunPolicy.Skip"/> fires only the latest due occurrence; <see cref="MissedRunPolicy.CatchUp"/> fires
/// each due one, oldest first, the latest <see cref="ScheduleDefinition.MaxCatchUp"/> at most. An occurrence at or before
/// the last firing is never due again, so a schedule never fires twice for one occurrence.
/// </para>
/// </summary>
public static class ScheduleDecider
{
    public static ScheduleDecision Decide(ScheduleDefinition schedule, DateTimeOffset? lastFired, DateTimeOffset watchingSince, DateTimeOffset now)
    {
        var expression = schedule.Expression;
        var from = lastFired ?? watchingSince;
        var keep = schedule.Missed == MissedRunPolicy.Skip ? 1 : schedule.MaxCatchUp;
        var due = new Queue<DateTimeOffset>(keep);
        var skipped = 0;
        if (from < now)
        {
            // Enumerated lazily, keeping the latest few: a year of a per-minute schedule is counted, not held.
            foreach (var occurrence in expression.GetOccurrences(from, now, schedule.TimeZone, fromInclusive: false, toInclusive: true))
            {
                if (due.Count == keep) { due.Dequeue(); skipped++; }
                due.Enqueue(occurrence);
            }
        }
        var after = due.Count > 0 ? due.Last() : from > now ? from : now;
        return new ScheduleDecision(due.ToArray(), skipped, expression.GetNextOccurrence(after, schedule.TimeZone));
    }

    /// <summary>When the schedule is next due after <paramref name="now"/> (for listings).</summary>
    public static DateTimeOffset? NextAfter(ScheduleDefinition schedule, DateTimeOffset now) =>
        schedule.Expression.GetNextOccurrence(now, schedule.TimeZone);

    /// <summary>What every schedule stream's name starts with.</summary>
    public const string StreamPrefix = "schedule-";

    /// <summary>The stream a schedule's firings are recorded in.</summary>
    public static string StreamOf(string schedule) => StreamPrefix + schedule;

    public static bool IsScheduleStream(string stream) => stream.StartsWith(StreamPrefix, StringComparison.Ordinal);

    /// <summary>The process an occurrence starts: the same for every orchestrator, e.g. <c>nightly-20261123T1400Z</c>.</summary>
    public static ProcessId ProcessIdFor(string schedule, DateTimeOffset occurrence)
    {
        var utc = occurrence.UtcDateTime;
        var format = utc.Second == 0 ? "yyyyMMdd'T'HHmm'Z'" : "yyyyMMdd'T'HHmmss'Z'";
        return ProcessId.From($"{schedule}-{utc.ToString(format, CultureInfo.InvariantCulture)}");
    }
}
