using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>The hourly schedule of the log pipeline, configured as its README says: accepted (the graph reads no dataset) and listed.</summary>
public sealed class Log_pipeline_schedule : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_hourly_security_logs_schedule_is_accepted_and_runs_on_the_hour()
    {
        var hourly = new Dictionary<string, string>
        {
            ["Orchestration__Schedules__0__Name"] = "security-logs-hourly",
            ["Orchestration__Schedules__0__Graph"] = "security-logs",
            ["Orchestration__Schedules__0__Cron"] = "0 * * * *",
        };

        new FileEventStore(_dir["data/events"]).Dispose(); // an orchestrator's data directory, nothing fired yet

        var run = await new OrchCli(_dir.Path, hourly).RunAsync("schedules", "--data", _dir["data"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().StartWith("security-logs-hourly: graph 'security-logs', cron '0 * * * *' (UTC), missed runs: Skip, last fired: never")
            .And.MatchRegex(@"next run: \d{4}-\d\d-\d\d \d\d:00:00Z");
    }
}
