using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestration.Operations.Dashboard;
using Orchestration.Runtime;
using Spectre.Console;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>orch workers</c>: the live workers of the deployment, as the orchestrator's registry knows them.</summary>
public static class WorkersCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--dashboard-urls") { Description = $"The orchestrator's dashboard address (default: Orchestration__Dashboard__Urls or {DashboardSettings.DefaultUrls})" };
        var command = new Command("workers", "List the live workers of the distributed deployment: labels, slots, current tasks, last seen") { url };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Engines.Settings.IsDistributed)
            {
                Console.WriteLine($"embedded mode: one in-process worker runs inside each command (--workers slots, one per core by default); " +
                                  "set Orchestration__Mode=distributed to list the workers of a deployment.");
                return 0;
            }
            var dashboard = Dashboards.Settings(parse.GetValue(url));
            if (!dashboard.Enabled) throw new CliError("The dashboard is off (Orchestration__Dashboard__Urls=off), so there is no orchestrator address to ask; set one.");
            Print(await FetchAsync(new Uri(dashboard.ClientAddress, "api/workers"), cancellationToken));
            return 0;
        });
        return command;
    }

    private static async Task<IReadOnlyList<LiveWorker>> FetchAsync(Uri address, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await http.GetFromJsonAsync<List<LiveWorker>>(address, new JsonSerializerOptions(JsonSerializerDefaults.Web), cancellationToken) ?? [];
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            throw new CliError($"The orchestrator did not answer at {address} ({error.Message}). Start it with '{OrchestrationCommandLine.Name} orchestrator', or set Orchestration__Dashboard__Urls to where its dashboard listens.");
        }
    }

    private static void Print(IReadOnlyList<LiveWorker> workers)
    {
        if (workers.Count == 0)
        {
            AnsiConsole.MarkupLine($"[grey]no live workers: start some with {OrchestrationCommandLine.Name} worker[/]");
            return;
        }
        var now = DateTimeOffset.UtcNow;
        // Names and labels are what selectors are written from: never wrapped.
        var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("worker").NoWrap()).AddColumn(new TableColumn("labels").NoWrap())
            .AddColumns("slots", "current tasks", "last seen");
        foreach (var w in workers)
            table.AddRow(Markup.Escape(w.Id.Value), Markup.Escape(string.Join(" ", w.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))),
                $"{w.Running.Count}/{w.Slots}", Markup.Escape(w.Running.Count == 0 ? "idle" : string.Join(" ", w.Running)),
                $"{Math.Max(0, (now - w.LastSeen).TotalSeconds):0} s ago");
        AnsiConsole.Write(table);
    }
}
