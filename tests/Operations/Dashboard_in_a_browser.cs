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
    private const string Chromium = "/usr/bin/chromium";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartHost("orchestrator"); // its dashboard on the stack's own port (Orchestration__Dashboard__Urls)
        StartHost("worker", "--name", "w-paris", "--slots", "1", "--label", "region=EU", "--label", "country=FR", "--label", "store=paris-1");
        StartHost("worker", "--name", "w-austin", "--slots", "1", "--label", "region=US");
    }

    [Fact]
    public async Task After_a_process_ran_the_page_shows_it_completed_with_its_steps_the_labelled_workers_and_the_queue()
    {
        File.Exists(Chromium).Should().BeTrue("scripts/services.sh installs Debian's chromium (apt-get install chromium)");
        WriteParts(2);
        var run = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        run.ExitCode.Should().Be(0, run + await HostLogs());
        var process = Regex.Match(run.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // The machine's network is closed: without these, chromium's own background connections are refused and it stalls.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
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
