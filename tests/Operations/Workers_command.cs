using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary><c>orch workers</c> and <c>orch worker --label</c> as an operator meets them when something is off.</summary>
public sealed class Workers_command : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private OrchCli Cli(params (string Key, string Value)[] environment) => new(_dir.Path, environment.ToDictionary(e => e.Key, e => e.Value));

    [Fact]
    public async Task Workers_says_where_to_start_the_orchestrator_when_none_answers()
    {
        var port = DistributedStack.FreePort();

        var result = await Cli(("Orchestration__Mode", "distributed"), ("Orchestration__Dashboard__Urls", $"http://127.0.0.1:{port}")).RunAsync("workers");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().StartWith($"orch: The orchestrator did not answer at http://127.0.0.1:{port}/api/workers")
            .And.Contain("Start it with 'orch orchestrator', or set Orchestration__Dashboard__Urls");
    }

    [Fact]
    public async Task Workers_in_embedded_mode_says_the_worker_runs_inside_each_command()
    {
        var result = await Cli().RunAsync("workers");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("embedded mode: one in-process worker runs inside each command");
    }

    [Theory]
    [InlineData("region", "--label expects key=value (e.g. --label region=EU), not 'region'.")]
    [InlineData("=EU", "--label '=EU': the key must be a name")]
    [InlineData("region=", "--label 'region=': the value is empty.")]
    public async Task A_worker_label_that_is_not_key_equals_value_is_refused_before_anything_starts(string label, string message)
    {
        var result = await Cli(("Orchestration__Mode", "distributed")).RunAsync("worker", "--label", label);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain(message);
    }

    [Fact]
    public async Task A_worker_label_given_twice_is_refused()
    {
        var result = await Cli().RunAsync("worker", "--label", "region=EU", "--label", "region=US");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("--label region is given twice ('EU' and 'US')");
    }

    [Fact]
    public async Task A_bad_dashboard_address_is_refused_as_a_bad_argument()
    {
        var result = await Cli(("Orchestration__Mode", "distributed")).RunAsync("workers", "--dashboard-urls", "localhost:5080");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("Dashboard URL 'localhost:5080' is not an http(s) address");
    }
}
