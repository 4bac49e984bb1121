using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Only the orchestrator appends process events: the command line sends it its commands and awaits the answer. With no
/// orchestrator running, a start is refused in time with what to do, and nothing is written.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Clients_and_the_orchestrator : DistributedStack
{
    protected override IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string> { ["Orchestration__CommandTimeout"] = "00:00:05" };

    [Fact]
    public async Task A_start_with_no_orchestrator_to_answer_fails_in_time_and_writes_nothing_then_runs_once_one_answers()
    {
        Directory.CreateDirectory(Dir["in"]);
        DuckDb.Execute($"COPY (SELECT i AS n FROM range(10) t(i)) TO '{Dir["in/part-0.csv"]}' (HEADER)");
        string[] query = ["query", "--input", "in/*.csv", "--sql", "SELECT count(*) AS n FROM input", "--out", Dir["n.csv"]];

        var alone = await Orch.RunAsync(query);

        alone.ExitCode.Should().NotBe(0);
        alone.Error.Should().Contain("The orchestrator did not answer within 5 s").And.Contain("is it running? Start it (orch orchestrator)");
        var status = await Orch.RunAsync("status");
        status.ExitCode.Should().Be(0, status.ToString());
        status.Output.Should().NotContain("query-", "the client wrote nothing itself");

        StartDeployment(workers: 1);
        var answered = await Orch.RunAsync(query);

        answered.ExitCode.Should().Be(0, answered + await HostLogs());
        DuckDb.CsvRows(Dir["n.csv"]).Should().Equal("10");
    }

    [Fact]
    public async Task A_process_of_another_deployment_is_refused_the_schema_and_changes_nothing()
    {
        var own = await Orch.RunAsync("status");
        own.ExitCode.Should().Be(0, own.ToString());
        var other = Cli(new Dictionary<string, string> { ["Orchestration__QueuePrefix"] = "other-" });

        foreach (var run in new[] { await other.RunAsync("status"), await other.RunAsync("orchestrator", "--dashboard-urls", "off") })
        {
            run.ExitCode.Should().NotBe(0, run.ToString());
            run.Error.Should().Contain($"The PostgreSQL schema '{Name}' holds the event log of another deployment: the one whose queues are prefixed '{Name}-'")
                .And.Contain("Point Orchestration__Schema at a schema of this deployment's own, or set Orchestration__QueuePrefix");
        }
        (await Orch.RunAsync("status")).ExitCode.Should().Be(0, "the schema still belongs to its deployment");
    }
}
