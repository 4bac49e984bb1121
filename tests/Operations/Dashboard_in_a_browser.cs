using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Playwright;
using Orchestration.Tests.EndToEnd;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Orchestration.Tests.Operations;

/// <summary>
/// The dashboard as a person sees it in a real browser (Debian's chromium, headless, driven by Playwright) after a
/// process ran on a distributed deployment of real processes: the process completed with its step progress, the
/// workers with their labels, the queue depth; then the process's own page with its steps and events.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Dashboard_in_a_browser : DistributedStack
{
    private const string OperatorToken = "browser-test-operator-token";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Its dashboard on the stack's own port (Orchestration__Dashboard__Urls), with actions allowed to the operator token.
        StartHost(Cli(new Dictionary<string, string> { ["Orchestration__Dashboard__Token"] = OperatorToken }), "orchestrator");
        StartHost("worker", "--name", "w-paris", "--slots", "1", "--label", "region=EU", "--label", "country=FR", "--label", "store=paris-1");
        StartHost("worker", "--name", "w-austin", "--slots", "1", "--label", "region=US");
    }

    [Fact]
    public async Task After_a_process_ran_the_page_shows_it_completed_with_its_steps_the_labelled_workers_and_the_queue()
    {
        File.Exists(Chromium.Path).Should().BeTrue("scripts/services.sh installs Debian's chromium (apt-get install chromium)");
        WriteParts(2);
        var run = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        run.ExitCode.Should().Be(0, run + await HostLogs());
        var process = Regex.Match(run.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        SetDefaultExpectTimeout(30_000);
        await page.GotoAsync(DashboardUrl);

        var row = page.Locator("#processes tbody tr", new() { HasText = process });
        await Expect(row).ToContainTextAsync("completed");
        await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("2/2"); // steps
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("3/3"); // tasks: two parts and the merge
        var paris = page.Locator("#workers tbody tr", new() { HasText = "w-paris" });
        await Expect(paris).ToContainTextAsync("region=EU");
        await Expect(paris).ToContainTextAsync("country=FR");
        await Expect(paris).ToContainTextAsync("store=paris-1");
        await Expect(paris).ToContainTextAsync("idle");
        await Expect(page.Locator("#workers tbody tr", new() { HasText = "w-austin" })).ToContainTextAsync("region=US");
        await Expect(page.Locator("#queue")).ToHaveTextAsync(new Regex($@"^{Name}-run-task: 0 waiting, 0 being run, 2 consumer\(s\)$"));

        await row.GetByRole(AriaRole.Link, new() { Name = process }).ClickAsync();

        await Expect(page.Locator("#process-title")).ToContainTextAsync($"Process {process}");
        await Expect(page.Locator("#process-status")).ToContainTextAsync("completed");
        await Expect(page.Locator("#steps tbody tr", new() { HasText = "map" })).ToContainTextAsync("2/2");
        await Expect(page.Locator("#steps tbody tr", new() { HasText = "merge" })).ToContainTextAsync("1/1");
        await Expect(page.Locator("#events li").First).ToContainTextAsync($"Process {process} started graph 'query' v1");
        await Expect(page.Locator("#events li").Last).ToContainTextAsync($"Process {process} completed");
        (await page.Locator("#events li", new() { HasText = "confirmed by" }).CountAsync()).Should().Be(3);
    }

    [Fact]
    public async Task The_process_page_draws_the_graph_travels_back_in_time_and_cancels_only_with_the_operator_token()
    {
        WriteParts(2);
        var run = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        run.ExitCode.Should().Be(0, run + await HostLogs());
        var process = Regex.Match(run.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;
        File.Exists(Chromium.Path).Should().BeTrue("scripts/services.sh installs Debian's chromium (apt-get install chromium)");
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 800 } });
        SetDefaultExpectTimeout(30_000);

        await page.GotoAsync($"{DashboardUrl}/#process/{process}");

        var nodes = page.Locator("#graph g.node");
        await Expect(nodes).ToHaveCountAsync(2);
        await Expect(page.Locator("#graph g.node[data-step=map] .progress")).ToHaveTextAsync("2/2 completed");
        await Expect(page.Locator("#graph g.node[data-step=merge] .progress")).ToHaveTextAsync("1/1 completed");
        (await page.Locator("#graph path.edge").CountAsync()).Should().Be(1, "the merge depends on the map");
        await page.Locator("#process").ScreenshotAsync(new() { Path = Chromium.Screenshot("graph-view.png") });

        // The timeline: each attempt on the worker that ran it, all three confirmed.
        await Expect(page.Locator("#timeline g.attempt[data-outcome=confirmed]")).ToHaveCountAsync(3);
        await Expect(page.Locator("#timeline-summary")).ToContainTextAsync("3 attempt(s) on ");
        await Expect(page.Locator("#timeline-summary")).ToContainTextAsync("3 confirmed");
        var lanes = await page.Locator("#timeline text").AllTextContentsAsync();
        lanes.Should().Contain(l => l == "w-paris" || l == "w-austin", "a lane is named after the worker that ran its attempts");
        await page.Locator("#timeline-view").ScreenshotAsync(new() { Path = Chromium.Screenshot("timeline.png") });
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");

        await page.Locator("#graph g.node[data-step=map]").ClickAsync();
        await Expect(page.Locator("#tasks-title")).ToHaveTextAsync("Tasks of step 'map' (2)");
        await Expect(page.Locator("#task-rows tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#task-rows tbody tr").First).ToContainTextAsync($"{process}/map/0");
        await Expect(page.Locator("#task-rows tbody tr").First).ToContainTextAsync("confirmed");
        await Expect(page.Locator("#tasks-page")).ToHaveTextAsync("page 1 of 1");

        await page.Locator("#travel").FillAsync("2"); // after event 2: the map step had started, nothing confirmed
        await Expect(page.Locator("#travel-label")).ToContainTextAsync("2 of ");
        await Expect(page.Locator("#graph g.node[data-step=map] .progress")).ToHaveTextAsync("0/2 running");
        await Expect(page.Locator("#graph g.node[data-step=merge] .progress")).ToContainTextAsync("0/0");
        await page.Locator("#travel-live").ClickAsync();
        await Expect(page.Locator("#graph g.node[data-step=map] .progress")).ToHaveTextAsync("2/2 completed");

        // A query slow enough to be cancelled while it runs.
        var slow = Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", "SELECT part, count(*) AS n FROM input, range(60000000) GROUP BY part", "--out", Dir["slow.csv"]);
        await Eventually.True(async () => (await ProcessIdsAsync()).Count == 2 || slow.IsCompleted, TimeSpan.FromMinutes(1), "the slow query started");
        var running = (await ProcessIdsAsync()).Single(id => id != process);
        await page.GotoAsync($"{DashboardUrl}/#process/{running}");
        await Expect(page.Locator("#process-status")).ToContainTextAsync("running");
        await page.Locator("#token").FillAsync("");
        await page.Locator("#action-controls button[data-action=cancel]").ClickAsync();
        await Expect(page.Locator("#action-result")).ToContainTextAsync("needs the operator token");
        await Expect(page.Locator("#process-status")).ToContainTextAsync("running");

        await page.Locator("#token").FillAsync(OperatorToken);
        await page.Locator("#action-controls button[data-action=cancel]").ClickAsync();

        await Expect(page.Locator("#process-status")).ToContainTextAsync("cancelled");
        await Expect(page.Locator("#action-result")).ToContainTextAsync("cancel sent: cancel from the dashboard");
        var cancelled = await slow;
        cancelled.ExitCode.Should().Be(1, cancelled.ToString());
        cancelled.Error.Should().Contain("cancelled: cancel from the dashboard");
    }

    [Fact]
    public async Task Orch_workers_lists_the_live_workers_with_their_labels()
    {
        OrchCli.Result result = null!;

        try
        {
            await Eventually.True(async () => (result = await Orch.RunAsync("workers")).Output.Contains("w-austin") && result.Output.Contains("w-paris"),
                TimeSpan.FromSeconds(60), "both workers listed by orch workers");
        }
        catch (TimeoutException waited)
        {
            throw new TimeoutException($"{waited.Message}\nlast orch workers: {result}\n{await HostLogs()}");
        }

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().MatchRegex(@"│\s*w-paris\s*│\s*country=FR region=EU store=paris-1\s*│\s*0/1\s*│\s*idle\s*│");
        result.Output.Should().MatchRegex(@"│\s*w-austin\s*│\s*region=US\s*│\s*0/1\s*│");
    }
}
