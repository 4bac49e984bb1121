using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// <c>orch cancel</c> on the distributed deployment: a 20-task process whose tasks never end is cancelled while two
/// worker processes run its tasks; the running ones are stopped on their workers and the queued ones skipped, so the
/// next process runs on the freed slots at once. Cancelling an unknown or an ended process is a one-line refusal.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Cancelling_a_process(Xunit.Abstractions.ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task A_cancel_stops_a_running_20_task_process_within_5_s_and_frees_every_slot()
    {
        Directory.CreateDirectory(Dir["hang"]);
        for (var f = 0; f < 20; f++) DuckDb.Execute($"COPY (SELECT {f} AS n) TO '{Dir[$"hang/h-{f:00}.csv"]}' (HEADER)");
        Directory.CreateDirectory(Dir["quick"]);
        DuckDb.Execute($"COPY (SELECT 2 AS n) TO '{Dir["quick/two.csv"]}' (HEADER)");
        StartDeployment(workers: 2);
        var hung = Orch.RunAsync("query", "--input", "hang/*.csv", "--sql", "SELECT count(*) AS n FROM input, range(100000000000)", "--task-timeout", "600", "--out", Dir["hung.csv"]);
        await Eventually.True(async () => await CountEvents("task-start-recorded.v1") >= 2, TimeSpan.FromMinutes(2), "both workers to run a task of the process");
        var process = Regex.Match((await Orch.RunAsync("status")).Output, @"(query-[0-9a-f]+)").Groups[1].Value;

        var cancel = await Orch.RunAsync("cancel", process, "--reason", "the inputs were wrong");
        var cancelledAt = DateTimeOffset.UtcNow;

        cancel.ExitCode.Should().Be(0, cancel.ToString());
        cancel.Output.Should().Contain($"{process} cancelled: the inputs were wrong (by ");
        var ended = await hung;
        ended.ExitCode.Should().NotBe(0);
        ended.Error.Should().Contain($"process {process} cancelled: the inputs were wrong");
        var next = await Orch.RunAsync("query", "--input", "quick/*.csv", "--sql", "SELECT sum(n) AS n FROM input", "--out", Dir["next.csv"]);
        next.ExitCode.Should().Be(0, next + await HostLogs());
        DuckDb.CsvRows(Dir["next.csv"]).Should().Equal("2");
        var freed = RecordedAt(await HistoryOf(next), @"/map/0 attempt 1 confirmed") - cancelledAt;
        freed.Should().BeLessThan(TimeSpan.FromSeconds(5), "the stopped tasks freed their slots and the 18 queued ones were skipped, so the next task ran at once");
        output.WriteLine($"cancel: a 20-task process cancelled with 2 tasks running; the next process's task confirmed {freed.TotalSeconds:0.0} s after the cancel");
    }

    [Fact]
    public async Task Cancelling_an_unknown_or_an_ended_process_is_refused_in_one_line_and_changes_nothing()
    {
        Directory.CreateDirectory(Dir["in"]);
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{Dir["in/one.csv"]}' (HEADER)");
        StartDeployment(workers: 1);
        var done = await Orch.RunAsync("query", "--input", "in/*.csv", "--sql", "SELECT sum(n) AS n FROM input", "--out", Dir["n.csv"]);
        done.ExitCode.Should().Be(0, done.ToString());
        var process = Regex.Match(done.Output, @"(query-[0-9a-f]+)").Groups[1].Value;

        var unknown = await Orch.RunAsync("cancel", "query-nope");
        var ended = await Orch.RunAsync("cancel", process);

        unknown.ExitCode.Should().Be(2);
        unknown.Error.Trim().Should().Be("orch: Process query-nope has not been started.");
        ended.ExitCode.Should().Be(2);
        ended.Error.Trim().Should().Be($"orch: Process {process} has already ended (Completed); there is nothing to cancel.");
        (await HistoryOf(done)).Should().NotContain("cancelled");
    }
}
