using Orchestration.Cli.Demo;
using Orchestration.Graphs;

namespace Orchestration.Cli;

/// <summary>The graphs this command line knows, and the schedules configuration adds to them (<c>Orchestration:Schedules</c>).</summary>
public static class Catalog
{
    public static readonly GraphCatalog Graphs = new GraphCatalog().Add(RetailDemo.Graph).Add(LocalSales.Graph).Add(SecurityLogs.Graph);

    /// <summary>The graphs with the configured schedules; a bad schedule is a one-line error naming it.</summary>
    public static GraphCatalog WithSchedules()
    {
        var catalog = new GraphCatalog();
        foreach (var graph in Graphs.All) catalog.Add(graph);
        try
        {
            foreach (var schedule in Engines.Settings.Schedules) catalog.Add(schedule.ToDefinition());
        }
        catch (InvalidOperationException bad)
        {
            throw new CliError($"Orchestration:Schedules: {bad.Message}.");
        }
        return catalog;
    }
}
