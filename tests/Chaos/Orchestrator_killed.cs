using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: the orchestrator is SIGKILLed mid-process and started again. It rebuilds its aggregates and its timeout
/// view from the event store, its dispatcher resumes from its checkpoint, and the results the workers published
/// meanwhile wait in its durable queue. The result must equal DuckDB's and every task be confirmed exactly once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Orchestrator_killed(ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task An_orchestrator_killed_mid_process_and_started_again_finishes_it_with_nothing_lost_or_doubled()
    {
        const int files = 200;
        var orchestrator = StartDeployment();

        var run = await QueryThroughFaultAsync(files, faultAfter: 40, async () =>
        {
            orchestrator.Kill(entireProcessTree: true); // SIGKILL: no clean stop, no last checkpoint
            await orchestrator.WaitForExitAsync();
            StartHost("orchestrator");
        });

        output.WriteLine($"chaos orchestrator kill: {files + 1} tasks, 1 orchestrator killed at {run.ConfirmedAtFault} confirmed, {run.Retries} retries, {run.Elapsed.TotalSeconds:0.0} s (first confirmation {run.Recovery.TotalSeconds:0.0} s after the fault), result match");
    }
}
