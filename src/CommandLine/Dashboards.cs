using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Operations.Dashboard;

namespace Orchestration.CommandLine;

/// <summary>Where the orchestrator's dashboard is, from <c>--dashboard-urls</c> or configuration, with bad values reported as bad arguments.</summary>
public static class Dashboards
{
    public static DashboardSettings Settings(string? overrideUrls = null)
    {
        try
        {
            return DashboardSettings.From(DistributedSettings.Load(), overrideUrls);
        }
        catch (ArgumentException bad)
        {
            throw CliError.BadArguments(bad.Message);
        }
    }
}
