using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// A step placed on any worker with one label (<c>--target region=EU --target-mode any</c>): its tasks go to that
/// label's queue, where every worker with the label competes for them, and which no other worker reads.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Any_worker_with_a_label : DistributedStack
{
    [Fact]
    public async Task The_workers_with_the_label_share_the_tasks_and_no_other_worker_runs_one()
    {
        StartHost("orchestrator");
        foreach (var (name, region) in new[] { ("eu-1", "EU"), ("eu-2", "EU"), ("us-1", "US") })
            StartHost("worker", "--name", name, "--slots", "1", "--prefetch", "1", "--label", $"region={region}");
        await Eventually.True(async () => (await Orch.RunAsync("workers")).Output is var o && o.Contains("eu-1") && o.Contains("eu-2") && o.Contains("us-1"),
            TimeSpan.FromMinutes(1), "the three workers announced");
        WriteParts(30);

        var run = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"],
            "--target", "region=EU", "--target-mode", "any");

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var ranBy = Regex.Matches(await HistoryOf(run), @"Task \S+/map/\d+ attempt \d+ confirmed by (\S+)").Select(m => m.Groups[1].Value).ToList();
        ranBy.Should().HaveCount(30).And.OnlyContain(worker => worker.StartsWith("eu-"), "a worker without the label never sees its tasks");
        ranBy.Distinct().Should().BeEquivalentTo(["eu-1", "eu-2"], "the workers with the label compete for the tasks");
    }
}
