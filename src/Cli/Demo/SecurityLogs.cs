using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Schedules;

namespace Orchestration.Cli.Demo;

/// <summary>
/// The log pipeline sample: on a node (a worker started with <c>--allow-local logs=&lt;node dir&gt;</c> and labels
/// <c>region</c>, <c>zone</c>, <c>node</c>), publish the SECURITY lines and an archive of every rotated raw log, then
/// delete it (the C# step <c>security-logs</c>). One task on whichever worker takes it, until label targeting can
/// address every node: then the step becomes a broadcast to all of them.
/// </summary>
public static class SecurityLogs
{
    public static readonly ProcessGraph Graph = ProcessGraph.Define("security-logs", 1)
        .Broadcast("publish", ["any"], StepWork.Code("security-logs"), configure: s => s.Param("root", "logs"))
        .Build();

    /// <summary>
    /// Every hour on the hour. Not registered by default (a deployment without log nodes would fail it every hour); an
    /// orchestrator gets it with <c>Orchestration__Schedules__0__Name=security-logs-hourly</c>, <c>__Graph=security-logs</c>, <c>__Cron="0 * * * *"</c>.
    /// </summary>
    public static readonly ScheduleDefinition Hourly = new("security-logs-hourly", Graph.Name, "0 * * * *",
        new Dictionary<string, string>(), MissedRunPolicy.Skip, TimeZoneInfo.Utc);
}
