using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Deployment;

/// <summary>
/// The Dockerfile cannot be built here (no Docker engine), so what would stop its hosts from starting is checked: the
/// runtime image must carry every shared framework the published app's runtimeconfig.json asks for, at its major
/// version; the hosts run as a non-root user; the health check runs a command the app has.
/// </summary>
public sealed class Container_image
{
    /// <summary>The shared frameworks each official .NET image carries.</summary>
    private static readonly Dictionary<string, string[]> FrameworksOf = new()
    {
        ["mcr.microsoft.com/dotnet/runtime-deps"] = [],
        ["mcr.microsoft.com/dotnet/runtime"] = ["Microsoft.NETCore.App"],
        ["mcr.microsoft.com/dotnet/aspnet"] = ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"],
        ["mcr.microsoft.com/dotnet/sdk"] = ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"],
    };

    private static string Dockerfile()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Dockerfile"))) root = Path.GetDirectoryName(root) ?? throw new FileNotFoundException("Dockerfile");
        return File.ReadAllText(Path.Combine(root, "Dockerfile"));
    }

    /// <summary>The instructions of the last stage: what the image runs with.</summary>
    private static string[] RuntimeStage() =>
        Dockerfile().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Reverse()
            .TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Reverse()
            .Prepend(Dockerfile().Split('\n').Last(l => l.TrimStart().StartsWith("FROM ", StringComparison.Ordinal)).Trim()).ToArray();

    [Fact]
    public void The_runtime_image_carries_every_framework_the_published_app_needs()
    {
        var from = Regex.Match(RuntimeStage()[0], @"^FROM\s+(?<image>[^:\s]+):(?<major>\d+)\.\d+");
        from.Success.Should().BeTrue($"the runtime stage starts FROM an official .NET image with its version: {RuntimeStage()[0]}");
        FrameworksOf.Should().ContainKey(from.Groups["image"].Value);
        var runtimeConfig = Path.ChangeExtension(OrchCli.Dll, ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var needed = json.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Major: f.GetProperty("version").GetString()!.Split('.')[0])).ToList();

        needed.Should().NotBeEmpty();
        needed.Select(f => f.Name).Should().BeSubsetOf(FrameworksOf[from.Groups["image"].Value],
            $"{from.Groups["image"].Value} must carry what {Path.GetFileName(runtimeConfig)} names");
        needed.Select(f => f.Major).Should().AllBe(from.Groups["major"].Value);
    }

    [Fact]
    public void The_hosts_run_as_a_non_root_user()
    {
        var user = RuntimeStage().LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal));

        user.Should().NotBeNull("without USER the hosts run as root");
        new[] { "root", "0", "0:0" }.Should().NotContain(user![5..].Trim());
    }

    [Fact]
    public async Task The_health_check_runs_a_command_the_app_has()
    {
        var check = RuntimeStage().Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        var command = Regex.Match(check, @"CMD \[""dotnet"", ""/app/orch.dll"", ""(?<verb>[a-z]+)""").Groups["verb"].Value;
        command.Should().NotBeEmpty(check);

        using var dir = new TempDirectory();
        var help = await new OrchCli(dir.Path).RunAsync(command, "--help");

        help.ExitCode.Should().Be(0, help.ToString());
        help.Output.Should().Contain("Check that the configured deployment reaches");
    }
}
