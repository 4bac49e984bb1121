using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Schedules;

namespace LogPipeline;

/// <summary>
/// The log pipeline sample: on a node (a worker started with <c>--allow-local logs=&lt;node dir&gt;</c> and labels
/// <c>region</c>, <c>zone</c>, <c>node</c>), publish the SECURITY lines and an archive of every rotated raw log, then
/// delete it (the C# step <c>security-logs</c>). One task on every live worker that has a <c>node</c> label, the set
/// fixed (and recorded) when the step starts.
/// </summary>
public static class SecurityLogs
{
    public static readonly ProcessGraph Graph = ProcessGraph.Define("security-logs", 1)
        .Run("publish", StepWork.Code("security-logs"), s => s.Param("root", "logs").On(WorkerSelector.Parse("node"), Target.All))
        .Build();

    /// <summary>
    /// Every hour on the hour, fired by this program's orchestrator (<c>log-pipeline orchestrator</c>), which knows the
    /// graph; the engine's generic orchestrator fires no schedule of a program's.
    /// </summary>
    public static readonly ScheduleDefinition Hourly = new("security-logs-hourly", Graph.Name, "0 * * * *",
        new Dictionary<string, string>(), MissedRunPolicy.Skip, TimeZoneInfo.Utc);
}
