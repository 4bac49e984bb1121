using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary><c>orch health</c> as an operator runs it against the configured deployment.</summary>
[Collection(RealProcesses.Name)]
public sealed class Telemetry_health_command : IDisposable
{
    private readonly TempDirectory _dir = new();

    private OrchCli Orch(string rabbitMq) => new(_dir.Path, new Dictionary<string, string>
    {
        ["Orchestration__Mode"] = "distributed",
        ["Orchestration__Postgres"] = Services.Postgres,
        ["Orchestration__RabbitMq"] = rabbitMq,
        ["Orchestration__Blobs"] = Services.Blobs,
    });

    [Fact]
    public async Task Health_prints_each_service_healthy_and_exits_0()
    {
        var result = await Orch(Services.RabbitMq.ToString()).RunAsync("health");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().MatchRegex(@"event store\s+Healthy").And.MatchRegex(@"broker\s+Healthy").And.MatchRegex(@"blob store\s+Healthy");
    }

    [Fact]
    public async Task Health_with_an_unreachable_broker_names_it_and_exits_1()
    {
        var result = await Orch(new UriBuilder(Services.RabbitMq) { Port = 1 }.Uri.ToString()).RunAsync("health");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Output.Should().MatchRegex(@"broker\s+Unhealthy\s+RabbitMQ at 127.0.0.1:1 unreachable").And.MatchRegex(@"event store\s+Healthy");
    }

    public void Dispose() => _dir.Dispose();
}
