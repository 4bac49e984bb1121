using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: RabbitMQ is stopped and started mid-process (<c>rabbitmqctl stop_app</c> / <c>start_app</c>). The
/// orchestrator, the workers and the client reconnect; messages the broker held survive (durable queues, persistent
/// messages) and any a worker had not acknowledged come back. The result must still be exact, every task confirmed once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(ServiceOutage.Name)]
public sealed class Broker_stopped(ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task RabbitMQ_stopped_and_started_mid_process_loses_and_doubles_nothing()
    {
        const int files = 200;
        StartDeployment();

        var run = await QueryThroughFaultAsync(files, faultAfter: 40, async () =>
        {
            await ServiceOutage.RabbitMqCtl("stop_app");
            await ServiceOutage.RabbitMqCtl("start_app");
            await ServiceOutage.RabbitMqCtl("await_startup");
        });

        output.WriteLine($"chaos broker restart: {files + 1} tasks, RabbitMQ stopped and started at {run.ConfirmedAtFault} confirmed, {run.TimedOut} timed out, {run.Retries} retries, {run.Elapsed.TotalSeconds:0.0} s (first confirmation {run.Recovery.TotalSeconds:0.0} s after the fault), result match");
    }
}
