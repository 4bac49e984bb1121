using Orchestration.Contracts;
using Orchestration.Processes;

namespace Orchestration.Schedules;

/// <summary>
/// An occurrence of a schedule fired and starts <paramref name="ProcessId"/>. Stored in the schedule's own stream with
/// an expected version, so when two orchestrators race for one occurrence only one append succeeds: one firing, one process.
/// </summary>
/// <param name="Skipped">Missed occurrences passed over before this one (by the missed-run policy).</param>
[WireName("schedule-fired.v1")]
public sealed record ScheduleFired(ProcessId ProcessId, string Schedule, DateTimeOffset Occurrence, int Skipped, DateTimeOffset At) : IProcessEvent
{
    public override string ToString() =>
        $"Schedule '{Schedule}' fired for {Occurrence:yyyy-MM-dd HH:mm:ss zzz}, starting process {ProcessId}{(Skipped > 0 ? $" ({Skipped} missed occurrence(s) skipped)" : "")}";
}
