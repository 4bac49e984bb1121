using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: 30 % of every message type delivered twice (task commands by the orchestrator's dispatcher, results by
/// the workers). The result must equal DuckDB's, every task be confirmed exactly once, and the duplicates be
/// dropped and counted, not applied.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Duplicate_delivery(ITestOutputHelper output) : DistributedStack
{
    protected override IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string> { ["Orchestration__Faults__DuplicateShare"] = "0.3" };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartDeployment();
    }

    [Fact]
    public async Task With_30_percent_of_every_message_duplicated_each_task_is_confirmed_once_and_the_result_is_exact()
    {
        const int files = 80;
        WriteParts(files);
        var clock = Stopwatch.StartNew();

        var run = await Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var history = await HistoryOf(run);
        ConfirmedTasks(history).Should().HaveCount(files + 1).And.OnlyHaveUniqueItems("every task is confirmed exactly once");

        var reports = await StopHostsAsync();
        var injected = reports.Sum(r => Regex.Match(r, @"(\d+) duplicates sent") is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0);
        var dropped = Regex.Match(reports[0], @"([\d,]+) duplicates dropped") is { Success: true } d ? int.Parse(d.Groups[1].Value.Replace(",", "")) : -1;
        output.WriteLine($"chaos duplicates: {files + 1} tasks, {injected} duplicates injected, {dropped} dropped, 0 retries, {clock.Elapsed.TotalSeconds:0.0} s, result match");
        injected.Should().BeGreaterThan(0, "the faults were switched on");
        dropped.Should().BeGreaterThan(0, "duplicate results reach the aggregate and are dropped there");
        history.Should().NotContain("retried", "duplicates are not failures");
    }
}
