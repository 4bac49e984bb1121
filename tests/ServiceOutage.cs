using System.Diagnostics;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests;

/// <summary>
/// Tests that stop a shared service (RabbitMQ, PostgreSQL) run alone, never beside another test that needs it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServiceOutage
{
    public const string Name = "service outage";

    public static Task RabbitMqCtl(string command) => Output("/usr/sbin/rabbitmqctl", command);

    /// <summary>Restarts the PostgreSQL cluster that scripts/services.sh runs (fast shutdown: open sessions are cut).</summary>
    public static async Task RestartPostgres()
    {
        var cluster = (await Output("pg_lsclusters", "--no-header")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .First(columns => columns[2] == "5432");
        await Output("pg_ctlcluster", cluster[0], cluster[1], "restart", "-m", "fast");
    }

    private static async Task<string> Output(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, $"{file} {string.Join(' ', args)}: {await error}");
        return output;
    }
}
