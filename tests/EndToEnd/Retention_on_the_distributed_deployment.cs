using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Retention on the distributed deployment (PostgreSQL, RabbitMQ, Azurite, a worker process): a prune sent to the
/// orchestrator while another process runs over the same input files removes the ended process's events and its
/// intermediate blobs, keeps its final output and everything the running process uses, and refuses to prune the running
/// one; the running process completes with the right result, and <c>history</c> reads the pruned one from its archive.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Retention_on_the_distributed_deployment : DistributedStack
{
    // Slow enough that the prune lands while it runs: each task joins its 100 rows with 10 M others (about a second).
    private const string SlowSql = "SELECT part, count(*)::BIGINT AS total FROM input, range(10000000) GROUP BY part";

    [Fact]
    public async Task A_prune_racing_a_running_process_deletes_nothing_it_uses_and_history_reads_the_pruned_one_from_its_archive()
    {
        WriteParts(6);
        StartDeployment(workers: 1);
        var ended = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["ended.csv"]);
        ended.ExitCode.Should().Be(0, ended + await HostLogs());
        var endedId = ProcessOf(ended);
        var container = new BlobContainerClient(Services.Blobs, Name);
        (await Names(container, $"tasks/{endedId}/map/")).Should().HaveCount(6);

        var running = Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", SlowSql, "--merge", "SELECT sum(total)::BIGINT AS total FROM partials", "--out", Dir["running.csv"]);
        await Eventually.True(async () => (await ProcessIdsAsync()).Count == 2 || running.IsCompleted, TimeSpan.FromMinutes(1), "the second query started");
        running.IsCompleted.Should().BeFalse("the prune must race a running process: " + (running.IsCompleted ? await running : null));
        var runningId = (await ProcessIdsAsync()).Single(id => id != endedId);

        var refused = await Orch.RunAsync("prune", runningId);
        var pruned = await Orch.RunAsync("prune", "--ended-before", "0s", "--reason", "test of retention");

        refused.ExitCode.Should().Be(2, refused.ToString());
        refused.Error.Should().Contain($"Process {runningId} is running; only an ended process can be pruned").And.Contain("nothing was deleted");
        pruned.ExitCode.Should().Be(0, pruned + await HostLogs());
        pruned.Output.Should().Contain("pruned 1 process(es)").And.Contain($"{endedId}: history archived to archive/processes/{endedId}/");
        running.IsCompleted.Should().BeFalse("the prune ran while the second process did");
        var finished = await running;
        finished.ExitCode.Should().Be(0, finished + await HostLogs());
        DuckDb.CsvRows(Dir["running.csv"]).Should().Equal(["6000000000"], "every task of the running process read its inputs to the end");

        (await Names(container, $"tasks/{endedId}/map/")).Should().BeEmpty("nothing else uses the pruned process's map outputs");
        (await Names(container, $"tasks/{endedId}/merge/")).Should().HaveCount(1, "its final output is kept");
        (await Names(container, "inputs/")).Should().HaveCount(6, "the running process read the same files: they stay");
        (await Names(container, $"archive/processes/{endedId}/")).Should().HaveCount(1);
        (await CountStreamEvents($"process-{endedId}")).Should().Be(0);
        var history = await Orch.RunAsync("history", endedId);
        history.ExitCode.Should().Be(0, history.ToString());
        history.Output.Should().Contain("(pruned: read from the archive").And.Contain($"Process {endedId} archived: test of retention");
        (await Orch.RunAsync("status")).Output.Should().NotContain(endedId).And.Contain(runningId);

        var later = await Orch.RunAsync("prune", "--ended-before", "0s");
        later.ExitCode.Should().Be(0, later.ToString());
        later.Output.Should().Contain("pruned 1 process(es)").And.Contain($"{runningId}: history archived");
        (await Names(container, "inputs/")).Should().BeEmpty("no live process reads them any more");
    }

    [Fact]
    public async Task The_orchestrator_prunes_on_the_schedule_it_is_configured_with()
    {
        WriteParts(3);
        var retention = Cli(new Dictionary<string, string> { ["Orchestration__Retention__Every"] = "2s", ["Orchestration__Retention__EndedBefore"] = "0s" });
        StartHost(retention, "orchestrator");
        StartHost("worker", "--name", "w1", "--slots", "1");

        var run = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);

        run.ExitCode.Should().Be(0, run + await HostLogs());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var id = ProcessOf(run);
        await Eventually.True(async () => await CountStreamEvents($"process-{id}") == 0 && await CountStreamEvents("retention") > 0, TimeSpan.FromMinutes(1),
            "the scheduled prune to remove the ended process and record it");
        var history = await Orch.RunAsync("history", id);
        history.ExitCode.Should().Be(0, history.ToString());
        history.Output.Should().Contain($"Process {id} archived: scheduled prune (every 2s, ended more than 0s ago)");
    }

    [Fact]
    public async Task A_schedule_that_does_not_parse_stops_the_orchestrator_with_the_setting_named()
    {
        var bad = Cli(new Dictionary<string, string> { ["Orchestration__Retention__Every"] = "hourly", ["Orchestration__Retention__EndedBefore"] = "7d" });

        var run = await bad.RunAsync("orchestrator");

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("Orchestration:Retention:Every is 'hourly'; give how often to prune as an age above zero, e.g. 1h, 30m or 1d.");
    }

    private static string ProcessOf(OrchCli.Result run) => Regex.Match(run.Output, @"(query-[0-9a-f]+)").Groups[1].Value;

    private static async Task<List<string>> Names(BlobContainerClient container, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
            names.Add(blob.Name);
        return names;
    }
}
