using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Schedules;

namespace Orchestration.CommandLine.Demo;

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
    /// Every hour on the hour. Not registered by default (a deployment without log nodes would fail it every hour); an
    /// orchestrator gets it with <c>Orchestration__Schedules__0__Name=security-logs-hourly</c>, <c>__Graph=security-logs</c>, <c>__Cron="0 * * * *"</c>.
    /// </summary>
    public static readonly ScheduleDefinition Hourly = new("security-logs-hourly", Graph.Name, "0 * * * *",
        new Dictionary<string, string>(), MissedRunPolicy.Skip, TimeZoneInfo.Utc);
}
