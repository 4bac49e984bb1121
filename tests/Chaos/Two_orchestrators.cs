using System.Diagnostics;
using Orchestration.Adapters.Messaging;
using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: a failover pair of a deployment of one shard. A second orchestrator started beside the first stands by (it
/// reads no shard's queue: the first owns the one shard and is the only writer); the leader is SIGKILLed mid-process and
/// the standby takes the shard over from the store. The result must be exact, every task confirmed once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Two_orchestrators(ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task A_standby_orchestrator_reads_no_shard_until_the_leader_dies_then_finishes_the_process()
    {
        const int files = 100;
        var leader = StartDeployment();
        using var management = new RabbitMqManagement(Services.RabbitMq);
        var shardQueue = $"{Name}-orchestrator.shard-0";
        await Eventually.True(async () => (await management.DepthAsync(shardQueue))?.Consumers == 1, TimeSpan.FromMinutes(2), "the leader to own the shard");
        var standby = StartHost("orchestrator");
        await Eventually.True(() => Task.FromResult(OutputOf(standby).Contains("Standing by: other orchestrators own every shard of this deployment")), TimeSpan.FromMinutes(2),
            "the second orchestrator to say that it stands by");
        OutputOf(standby).Should().Contain($"pid {leader.Id}", "a standby names the orchestrator it waits for");

        var takenOver = Stopwatch.StartNew();
        var run = await QueryThroughFaultAsync(files, faultAfter: 10, async () =>
        {
            (await management.DepthAsync(shardQueue))!.Consumers.Should().Be(1, "the standby reads no shard while the leader owns it");
            leader.Kill(entireProcessTree: true);
            await leader.WaitForExitAsync();
            takenOver.Restart();
            await Eventually.True(() => Task.FromResult(OutputOf(standby).Contains("Owning every shard")), TimeSpan.FromMinutes(1), "the standby to take the shard");
            takenOver.Stop();
        });

        var reports = await StopHostsAsync();
        reports[^1].Should().MatchRegex(@"[1-9][\d,]* commands", "the standby took over and decided commands");
        standby.ExitCode.Should().Be(0, $"the new leader stopped cleanly on SIGTERM: {await standby.StandardError.ReadToEndAsync()}");
        output.WriteLine($"chaos failover: {files + 1} tasks, leader killed at {run.ConfirmedAtFault} confirmed, standby leading {takenOver.Elapsed.TotalSeconds:0.0} s later, {run.Retries} retries, {run.Elapsed.TotalSeconds:0.0} s (first confirmation {run.Recovery.TotalSeconds:0.0} s after the fault), result match");
    }
}
