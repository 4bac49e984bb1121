using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: two orchestrator processes on the same event store and queues (a failover pair both left running). They
/// compete for results and each dispatches every scheduled task, so tasks run twice; optimistic concurrency on the
/// process stream keeps one history: no task confirmed twice, no event lost, the result exact.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Two_orchestrators(ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task Two_orchestrators_on_one_store_keep_one_consistent_history()
    {
        const int files = 150;
        StartDeployment();

        var run = await QueryThroughFaultAsync(files, faultAfter: 10, async () =>
        {
            // On a dashboard port of its own, so that the test can wait until it is up and taking its share.
            var url = $"http://127.0.0.1:{FreePort()}";
            StartHost(Cli(new Dictionary<string, string>(Faults) { ["Orchestration__Dashboard__Urls"] = url }), "orchestrator");
            using var http = new HttpClient();
            await Eventually.True(async () =>
            {
                try { return (await http.GetAsync($"{url}/healthz")) is not null; } // answering at all: its host has started
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromMinutes(1), "the second orchestrator to be up");
        });

        var reports = await StopHostsAsync();
        long Figure(string report, string what) => Regex.Match(report, $@"([\d,]+) {what}") is { Success: true } m ? long.Parse(m.Groups[1].Value.Replace(",", "")) : 0;
        var orchestrators = new[] { reports[0], reports[3] };
        var dropped = orchestrators.Sum(r => Figure(r, "duplicates dropped"));
        var conflicts = orchestrators.Sum(r => Figure(r, "conflicts"));
        var caughtUp = orchestrators.Sum(r => Figure(r, "caught up"));
        orchestrators.Should().AllSatisfy(r => Figure(r, "commands").Should().BeGreaterThan(0, "both orchestrators took part"));
        output.WriteLine($"chaos two orchestrators: {files + 1} tasks, 2 orchestrators from {run.ConfirmedAtFault} confirmed, {dropped} duplicates dropped, {conflicts} conflicts, {caughtUp} caught up, {run.Retries} retries, {run.Elapsed.TotalSeconds:0.0} s (first confirmation {run.Recovery.TotalSeconds:0.0} s after the fault), result match");
    }
}
