using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Schedules;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// <c>schedules</c> through a real program: the configured schedules of graphs it knows (the retail sample's
/// <c>local-sales-by-store</c>, which reads no dataset), their last firing and next run.
/// </summary>
public sealed class Schedules_command : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Retail => OrchCli.Sample("retail/RetailWarehouse", "retail-warehouse");

    private static Dictionary<string, string> Nightly(string cron = "30 2 * * *") => new()
    {
        ["Orchestration__Schedules__0__Name"] = "nightly",
        ["Orchestration__Schedules__0__Graph"] = "local-sales-by-store",
        ["Orchestration__Schedules__0__Cron"] = cron,
        ["Orchestration__Schedules__0__TimeZone"] = "Europe/Berlin",
        ["Orchestration__Schedules__0__Missed"] = "CatchUp",
    };

    [Fact]
    public async Task Lists_each_schedule_with_its_last_firing_and_its_next_run()
    {
        var fired = new DateTimeOffset(2026, 11, 23, 1, 30, 0, TimeSpan.Zero);
        using (var store = new FileEventStore(_dir["data/events"]))
            await store.AppendAsync([new StreamAppend(ScheduleDecider.StreamOf("nightly"), 0,
                [new ScheduleFired(ScheduleDecider.ProcessIdFor("nightly", fired), "nightly", fired, 0, fired)])]);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var next = Cronos.CronExpression.Parse("30 2 * * *").GetNextOccurrence(DateTimeOffset.UtcNow, berlin)!.Value;

        var run = await new OrchCli(_dir.Path, Nightly(), Retail).RunAsync("schedules", "--data", _dir["data"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Trim().Should().Be("nightly: graph 'local-sales-by-store', cron '30 2 * * *' (Europe/Berlin), missed runs: CatchUp, " +
            $"last fired: 2026-11-23 01:30:00Z (nightly-20261123T0130Z), next run: {next.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
        var status = await new OrchCli(_dir.Path).RunAsync("status", "--data", _dir["data"]);
        status.Output.Should().Contain("no processes yet", "a schedule's stream of firings is not a process");
    }

    [Fact]
    public async Task A_schedule_with_a_bad_cron_ends_with_one_line_naming_it()
    {
        var run = await new OrchCli(_dir.Path, Nightly(cron: "61 2 * * *"), Retail).RunAsync("schedules", "--data", _dir["data"]);

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().StartWith("retail-warehouse: Orchestration:Schedules: schedule 'nightly': cron '61 2 * * *' is not valid");
    }

    [Fact]
    public async Task Without_schedules_it_says_how_to_configure_one()
    {
        var run = await new OrchCli(_dir.Path).RunAsync("schedules", "--data", _dir["data"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("no schedules (configure Orchestration__Schedules__0__Name");
    }
}
