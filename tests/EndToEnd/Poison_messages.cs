using FluentAssertions;
using Orchestration.Tests.Adapters.RabbitMq;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// A message nobody can read (not JSON) on the orchestrator's and the workers' queues: each goes to its error queue
/// with the reason, is counted in the host's report, and the deployment goes on running processes.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Poison_messages : DistributedStack
{
    [Fact]
    public async Task An_unreadable_message_goes_to_the_error_queue_with_its_reason_and_is_counted()
    {
        StartDeployment(workers: 1);
        string[] queues = [$"{Name}-orchestrator", $"{Name}-run-task"];
        await Eventually.True(async () => (await Task.WhenAll(queues.Select(Consumers))).All(c => c > 0), TimeSpan.FromMinutes(1), "both hosts consuming");

        foreach (var queue in queues) await RawMessages.PublishAsync(queue, "{ this is not a message");

        foreach (var queue in queues)
        {
            IReadOnlyList<RawMessages.Peeked> errors = [];
            await Eventually.True(async () => (errors = await RawMessages.PeekAsync($"{queue}_error")).Count > 0, TimeSpan.FromMinutes(1), $"the poison message in {queue}_error");
            errors.Should().ContainSingle().Which.Payload.Should().Be("{ this is not a message", "the message is kept as it came, for an operator to inspect");
            errors[0].Headers.Should().ContainKey("MT-Fault-Message").WhoseValue.Should().NotBeNullOrWhiteSpace("the error queue says why");
        }
        WriteParts(3);
        var query = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        query.ExitCode.Should().Be(0, $"the deployment goes on after a poison message: {query}");
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());

        var reports = await StopHostsAsync();
        reports.Should().AllSatisfy(report => report.Should().Contain("1 poison messages moved to the error queue"));
    }

    private static async Task<int> Consumers(string queue)
    {
        using var management = new Orchestration.Adapters.Messaging.RabbitMqManagement(Services.RabbitMq);
        return (await management.DepthAsync(queue))?.Consumers ?? 0;
    }
}
