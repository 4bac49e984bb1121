using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Operations.Dashboard;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Orchestration.Tests.Operations;

/// <summary>
/// The dashboard's list of processes with 10,000 of them, in real Chromium: the page holds one page of rows, pages on,
/// and finds processes by graph, status, time and id. The processes' starts (and some ends) are written to an embedded
/// event store as the engine records them; running 10,000 processes belongs in bench/.
/// </summary>
public sealed class Process_list_in_a_browser : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private const int Processes = 10_000;
    private readonly TempDirectory _dir = new();
    private FileEventStore _store = null!;
    private DashboardServer _dashboard = null!;

    public async Task InitializeAsync()
    {
        _store = new FileEventStore(_dir["events"], flushToDisk: false);
        // Two graphs taking turns; one process started a minute; every tenth nightly one completed.
        var graphs = new[] { Graph("nightly"), Graph("hourly") };
        var appends = new List<StreamAppend>();
        for (var i = 0; i < Processes; i++)
        {
            var id = ProcessId.From($"p{i:D5}");
            var started = new ProcessStarted(id, graphs[i % 2], new Dictionary<string, IReadOnlyList<BlobRef>>(), new Dictionary<string, string>(), T0.AddMinutes(i));
            appends.Add(new StreamAppend(ProcessStreams.StreamOf(id), 0,
                i % 20 == 0 ? [started, new ProcessCompleted(id, [], T0.AddMinutes(i).AddSeconds(30))] : [started]));
            if (appends.Count == 1_000) { await _store.AppendAsync(appends); appends.Clear(); }
        }
        var sources = new DashboardSources(_store, new FoldedProcessList(_store), new WorkerRegistry(TimeProvider.System), "run-task", null);
        _dashboard = new DashboardServer(DashboardSettings.Parse("http://127.0.0.1:0"), sources);
        await _dashboard.StartAsync(CancellationToken.None);
    }

    private static ProcessGraph Graph(string name) =>
        ProcessGraph.Define(name, 1).Map("map", DataSource.Dataset("in"), StepWork.Sql("SELECT * FROM input")).Build();

    public async Task DisposeAsync()
    {
        await _dashboard.StopAsync(CancellationToken.None);
        await _dashboard.DisposeAsync();
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Ten_thousand_processes_come_a_page_at_a_time_and_are_found_by_graph_status_time_and_id()
    {
        File.Exists(Chromium.Path).Should().BeTrue("scripts/services.sh installs Debian's chromium (apt-get install chromium)");
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        SetDefaultExpectTimeout(30_000);
        var rows = page.Locator("#processes tbody tr");

        await page.GotoAsync(_dashboard.Addresses[0].ToString());

        await Expect(page.Locator("#processes-page")).ToHaveTextAsync("10000 process(es), page 1 of 200");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First).ToContainTextAsync("p09999", new() { Timeout = 5_000 });
        await Expect(page.Locator("#processes-previous")).ToBeDisabledAsync();

        await page.Locator("#processes-next").ClickAsync();
        await Expect(page.Locator("#processes-page")).ToHaveTextAsync("10000 process(es), page 2 of 200");
        await Expect(rows.First).ToContainTextAsync("p09949");

        await page.Locator("#filter-graph").FillAsync("nightly");
        await page.Locator("#filter-status").SelectOptionAsync("completed");
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#processes-page")).ToHaveTextAsync("500 process(es), page 1 of 10");
        await Expect(rows.First).ToContainTextAsync("p09980");
        await Expect(rows.First).ToContainTextAsync("completed");

        // Started in a two-hour window (the page's inputs are in the browser's time zone, UTC here; the API gets UTC).
        await page.Locator("#filter-status").SelectOptionAsync("");
        await page.Locator("#filter-from").FillAsync(Local(T0.AddMinutes(1000)));
        await page.Locator("#filter-to").FillAsync(Local(T0.AddMinutes(1120)));
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#processes-page")).ToHaveTextAsync("60 process(es), page 1 of 2");
        await Expect(rows.First).ToContainTextAsync("p01118");

        await page.Locator("#filter-clear").ClickAsync();
        await page.Locator("#filter-id").FillAsync("p0424");
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#processes-page")).ToHaveTextAsync("10 process(es), page 1 of 1");
        await Expect(rows).ToHaveCountAsync(10);
    }

    private static string Local(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy-MM-dd'T'HH:mm");
}
