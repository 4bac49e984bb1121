using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: PostgreSQL, the event store, restarts mid-process (fast shutdown: every session is cut). The orchestrator
/// retries its appends and its readers reconnect; results that arrive meanwhile wait in its queue. The result must
/// still be exact, every task confirmed once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(ServiceOutage.Name)]
public sealed class Database_restarted(ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task PostgreSQL_restarted_mid_process_loses_and_doubles_nothing()
    {
        const int files = 200;
        StartDeployment();

        var run = await QueryThroughFaultAsync(files, faultAfter: 40, ServiceOutage.RestartPostgres);

        output.WriteLine($"chaos database restart: {files + 1} tasks, PostgreSQL restarted at {run.ConfirmedAtFault} confirmed, {run.TimedOut} timed out, {run.Retries} retries, {run.Elapsed.TotalSeconds:0.0} s (first confirmation {run.Recovery.TotalSeconds:0.0} s after the fault), result match");
    }
}
