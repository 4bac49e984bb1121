using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.Deployment;

/// <summary>docker-compose.yml cannot run here (no Docker engine), so it is validated: the stack it describes must parse.</summary>
public sealed class Compose_file
{
    [Fact]
    public async Task The_compose_file_describes_a_valid_stack_with_an_orchestrator_and_replicated_workers()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "docker-compose.yml"))) root = Path.GetDirectoryName(root) ?? throw new FileNotFoundException("docker-compose.yml");
        var info = new ProcessStartInfo("docker-compose", ["config"]) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };

        using var compose = Process.Start(info)!;
        var output = await compose.StandardOutput.ReadToEndAsync();
        var error = await compose.StandardError.ReadToEndAsync();
        await compose.WaitForExitAsync();

        compose.ExitCode.Should().Be(0, error);
        output.Should().Contain("orchestrator:").And.Contain("worker:").And.Contain("replicas: 2")
            .And.Contain("postgres:").And.Contain("rabbitmq:").And.Contain("azurite:");
        Regex.Matches(output, @"build:\s+context: ").Should().HaveCount(2, "the orchestrator and the workers run the repository's image");
    }
}
