using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The log pipeline's hourly schedule, registered by the sample's own program: listed with no configuration, and fired
/// end to end by that program's orchestrator (a drill cron of every 10 s instead of the hour) on a real node.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed partial class Log_pipeline_schedule : DistributedStack
{
    private static string Program => OrchCli.Sample("logs/LogPipeline", "log-pipeline");

    [Fact]
    public async Task The_sample_registers_its_hourly_schedule_which_runs_on_the_hour()
    {
        new FileEventStore(Dir["embedded/events"]).Dispose(); // a data directory where nothing fired yet

        var run = await new OrchCli(Dir.Path, program: Program).RunAsync("schedules", "--data", Dir["embedded"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().StartWith("security-logs-hourly: graph 'security-logs', cron '0 * * * *' (UTC), missed runs: Skip, last fired: never")
            .And.MatchRegex(@"next run: \d{4}-\d\d-\d\d \d\d:00:00Z");
    }

    [Fact]
    public async Task The_samples_orchestrator_fires_the_schedule_and_the_node_publishes_its_logs()
    {
        var logs = Cli(new Dictionary<string, string> { ["LogPipeline__Cron"] = "*/10 * * * * *" }, Program);
        (await logs.RunAsync("logs", "generate", "--dir", Dir["n1"], "--lines", "200", "--seed", "3", "--at", "2026-05-06T10:00:00Z", "--rotate")).ExitCode.Should().Be(0);
        StartHost(logs, "worker", "--name", "n1", "--slots", "1", "--label", "region=EU", "--label", "zone=eu-west-1a", "--label", "node=n1",
            "--allow-local", $"logs={Dir["n1"]}");
        StartHost(logs, "orchestrator");

        var container = new BlobContainerClient(Services.Blobs, Name);
        await Eventually.True(async () => await container.ExistsAsync() && await container.GetBlobClient("logs/EU-eu-west-1a-n1-RAW-202605061000.json.gz").ExistsAsync(),
            TimeSpan.FromMinutes(2), "the scheduled process publishing n1's rotated log");

        // The step deletes the log once both of its uploads are confirmed: just after the blob appears, not with it.
        await Eventually.True(() => !File.Exists(Dir["n1/raw-logs/202605061000.log"]), TimeSpan.FromSeconds(30), "the published log deleted once both uploads are confirmed");
        var schedules = await logs.RunAsync("schedules");
        schedules.ExitCode.Should().Be(0, schedules.ToString());
        FiredProcess().Match(schedules.Output).Success.Should().BeTrue(schedules.Output);
        var history = await logs.RunAsync("history", FiredProcess().Match(schedules.Output).Groups[1].Value);
        history.Output.Should().Contain("publish/0 attempt 1 confirmed by n1", history.ToString());
    }

    [GeneratedRegex(@"last fired: \S+ \S+ \((security-logs-hourly-\d{8}T\d{4,6}Z)\)")]
    private static partial Regex FiredProcess();
}
