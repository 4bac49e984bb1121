using System.Diagnostics;
using System.Text.RegularExpressions;
using Orchestration.Adapters.Messaging;
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
            // The workers pause while the second orchestrator starts, so that work is left for both once it consumes.
            var workers = Hosts.Skip(1).ToList();
            foreach (var worker in workers) Signal("STOP", worker);
            try
            {
                StartHost("orchestrator");
                using var management = new RabbitMqManagement(Services.RabbitMq);
                await Eventually.True(async () => (await management.DepthAsync($"{Name}-orchestrator"))?.Consumers >= 2,
                    TimeSpan.FromMinutes(2), "the second orchestrator to consume from the orchestrators' queue");
            }
            finally
            {
                foreach (var worker in workers) Signal("CONT", worker);
            }
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

    private static void Signal(string signal, Process host) => Process.Start("kill", [$"-{signal}", host.Id.ToString()])!.WaitForExit();
}
