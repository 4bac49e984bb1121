using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Packaging;

/// <summary>
/// A new user's way in, from the packages to a distributed run: the template's project passes its own tests, lists its
/// specs, runs its graph embedded, then its worker (with its C# step) serves the engine's generic orchestrator on the
/// real services; a second version of its step runs beside the first without ever taking the first one's tasks.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed partial class A_project_made_from_the_template(NewUserProject project) : DistributedStack, IClassFixture<NewUserProject>
{
    private static readonly TimeSpan Minutes5 = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Passes_its_own_tests_and_lists_its_specs_as_given_when_then()
    {
        var test = await Shell.RunAsync(project.V1, Minutes5, "dotnet", "test", "-nologo");
        test.ExitCode.Should().Be(0, test.ToString());
        test.Output.Should().MatchRegex(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+7");

        var list = await Shell.RunAsync(project.V1, Minutes5, "dotnet", "run", "--project", "tests/Acme.Pipelines.Specs", "--", "list");
        list.ExitCode.Should().Be(0, list.ToString());
        list.Output.Should().Contain("scoring_customers: the totals go to the csharp scoring step")
            .And.Contain("GIVEN").And.Contain("WHEN" + Environment.NewLine + "  Confirm task p-1/totals/0")
            .And.Contain("THEN").And.Contain("4 specifications");

        // What a graph author's spec project pulls in, by NuGet's own account of its restore: no infrastructure package.
        var assets = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(project.V1, "tests", "Acme.Pipelines.Specs", "obj", "project.assets.json")));
        var packages = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
        packages.Should().Contain("Orchestration.Testing");
        packages.Where(p => new[] { "Npgsql", "MassTransit", "DuckDB", "Azure", "RabbitMQ" }.Any(i => p.StartsWith(i, StringComparison.OrdinalIgnoreCase)))
            .Should().BeEmpty("the specs of a graph need the domain only");
    }

    [Fact]
    public async Task Runs_its_graph_embedded_and_gets_what_duckdb_computes()
    {
        var program = new OrchCli(project.V1, program: NewUserProject.Program(project.V1));
        var data = Dir["sales"];
        (await program.RunAsync("generate", "--dir", data, "--partitions", "6")).ExitCode.Should().Be(0);

        var run = await program.RunAsync("run", "customer-tiers", "--dataset", $"sales={data}/*.csv", "--out", Dir["tiers.csv"], "--data", Dir["orch"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(Dir["tiers.csv"]).Should().Equal(Tiers(data, gold: 1_000));
        // It runs with the GC setting orch runs with, which keeps a million-task process under 1.5 GB.
        var runtimeConfig = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(NewUserProject.Program(project.V1), ".runtimeconfig.json")))!;
        var conserveMemory = runtimeConfig["runtimeOptions"]?["configProperties"]?["System.GC.ConserveMemory"];
        conserveMemory.Should().NotBeNull(runtimeConfig.ToJsonString());
        conserveMemory!.GetValue<int>().Should().Be(7);
    }

    [Fact]
    public async Task Its_worker_runs_its_csharp_step_for_the_generic_orchestrator()
    {
        StartHost("orchestrator"); // the engine's own program: no code of the user's
        StartHost(Cli(Faults, NewUserProject.Program(project.V1)), "worker", "--name", "acme-1", "--slots", "2");
        var program = Cli(Faults, NewUserProject.Program(project.V1));
        var data = Dir["sales"];
        (await program.RunAsync("generate", "--dir", data, "--partitions", "4")).ExitCode.Should().Be(0);

        var run = await program.RunAsync("run", "customer-tiers", "--dataset", $"sales={data}/*.csv", "--out", Dir["tiers.csv"]);

        run.ExitCode.Should().Be(0, run + await HostLogs());
        DuckDb.CsvRows(Dir["tiers.csv"]).Should().Equal(Tiers(data, gold: 1_000));
        (await WorkerOf(program, run, "scores")).Should().Be("acme-1");
    }

    [Fact]
    public async Task Two_versions_of_a_step_in_a_rolling_deploy_each_run_only_their_own_tasks()
    {
        StartHost("orchestrator");
        var v1 = Cli(Faults, NewUserProject.Program(project.V1));
        var v2 = Cli(Faults, NewUserProject.Program(project.V2));
        StartHost(v1, "worker", "--name", "acme-v1", "--slots", "1");
        var v2Worker = StartHost(v2, "worker", "--name", "acme-v2", "--slots", "1");
        var data = Dir["sales"];
        (await v1.RunAsync("generate", "--dir", data, "--partitions", "3")).ExitCode.Should().Be(0);

        var onV1 = await v1.RunAsync("run", "customer-tiers", "--dataset", $"sales={data}/*.csv", "--out", Dir["v1.csv"]);
        var onV2 = await v2.RunAsync("run", "customer-tiers", "--dataset", $"sales={data}/*.csv", "--out", Dir["v2.csv"]);

        onV1.ExitCode.Should().Be(0, onV1 + await HostLogs());
        onV2.ExitCode.Should().Be(0, onV2 + await HostLogs());
        DuckDb.CsvRows(Dir["v1.csv"]).Should().Equal(Tiers(data, gold: 1_000), "v1's tiers, computed by v1's code");
        DuckDb.CsvRows(Dir["v2.csv"]).Should().Equal(Tiers(data, gold: 2_000), "v2's tiers, computed by v2's code");
        (await WorkerOf(v1, onV1, "scores")).Should().Be("acme-v1");
        (await WorkerOf(v2, onV2, "scores")).Should().Be("acme-v2");

        // v2's worker gone: its step waits for a worker with v2 (8 s, one attempt in this version), then fails saying so.
        Process.Start("kill", ["-TERM", v2Worker.Id.ToString()])!.WaitForExit();
        await v2Worker.WaitForExitAsync();
        (await v1.RunAsync("generate", "--dir", Dir["more"], "--partitions", "2", "--rows", "100")).ExitCode.Should().Be(0);
        var stranded = await v2.RunAsync("run", "customer-tiers", "--dataset", $"sales={Dir["more"]}/*.csv", "--out", Dir["more.csv"]);

        stranded.ExitCode.Should().Be(1, stranded.ToString());
        stranded.Error.Should().Contain("no worker with C# step 'score-customers' v2 started it");
    }

    /// <summary>What the graph computes, straight from DuckDB over the same files, with the step's tier rule.</summary>
    private static IReadOnlyList<string> Tiers(string data, int gold) => DuckDb.Rows($"""
        SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
          SELECT tier, count(*) AS customers, sum(spent) AS revenue FROM (
            SELECT customer_id, spent, CASE WHEN spent >= {gold} THEN 'gold' WHEN spent >= 250 THEN 'silver' ELSE 'bronze' END AS tier
            FROM (SELECT customer_id, sum(amount::DECIMAL(18,2)) AS spent FROM read_csv('{data}/*.csv') GROUP BY customer_id))
          GROUP BY tier ORDER BY tier)
        """);

    /// <summary>The worker whose result confirmed a step's single task, as the run's history records it.</summary>
    private async Task<string> WorkerOf(OrchCli program, OrchCli.Result run, string step)
    {
        var process = ProcessIdIn().Match(run.Output).Groups[1].Value;
        var history = await program.RunAsync("history", process);
        history.ExitCode.Should().Be(0, history.ToString());
        var confirmed = Regex.Match(history.Output, $@"Task {Regex.Escape(process)}/{step}/0 attempt \d+ confirmed by (\S+)");
        confirmed.Success.Should().BeTrue($"the history records who confirmed the {step} task:\n{history.Output}");
        return confirmed.Groups[1].Value;
    }

    [GeneratedRegex(@"process (\S+) ")]
    private static partial Regex ProcessIdIn();
}
