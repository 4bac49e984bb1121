using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// <c>orch retry</c>, <c>orch pause</c> and <c>orch resume</c> on the distributed deployment with real worker processes
/// (one slot each, every task slowed by up to a second): a query that failed on a bad partition completes once retried
/// over the fixed file, without running its confirmed tasks again; a paused query gives its workers no new task until
/// it is resumed, then completes. Each control command of a process in the wrong state is a one-line refusal.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Retrying_and_pausing(Xunit.Abstractions.ITestOutputHelper output) : DistributedStack
{
    protected override IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string> { ["Orchestration__Faults__MaxLatencyMs"] = "1000" };

    [Fact]
    public async Task A_retry_over_the_fixed_partition_completes_the_failed_query_without_running_its_confirmed_tasks_again()
    {
        Directory.CreateDirectory(Dir["parts"]);
        for (var f = 0; f < 6; f++) DuckDb.Execute($"COPY (SELECT x AS amount FROM range({f * 10}, {f * 10 + 10}) t(x)) TO '{Dir[$"parts/p-{f}.csv"]}' (HEADER)");
        File.WriteAllText(Dir["parts/p-3.csv"], "amount\n30\nn/a\n32\n");
        StartDeployment(workers: 2);
        string[] query = ["query", "--input", "parts/*.csv", "--sql", "SELECT sum(CAST(amount AS BIGINT)) AS total FROM input",
            "--merge", "SELECT sum(total) AS total FROM partials", "--attempts", "1", "--out", Dir["total.csv"]];

        var failed = await Orch.RunAsync(query);

        failed.ExitCode.Should().NotBe(0, failed.ToString());
        failed.Error.Should().Contain("map/3").And.Contain("n/a");
        var process = Regex.Match(failed.Error, @"(query-[0-9a-f]+)").Groups[1].Value;
        File.WriteAllText(Dir["parts/p-3.csv"], "amount\n30\n31\n32\n");

        var retried = await Orch.RunAsync("retry", process, "--dataset", "input=parts/*.csv", "--reason", "p-3 fixed", "--out", Dir["total.csv"]);

        retried.ExitCode.Should().Be(0, retried + await HostLogs());
        retried.Output.Should().Contain($"{process} retried: p-3 fixed (by ");
        DuckDb.CsvRows(Dir["total.csv"]).Should().Equal(DuckDb.Rows($"SELECT sum(amount) FROM read_csv('{Dir["parts"]}/*.csv')"));
        var history = await HistoryOf(failed);
        history.Should().Contain($"Process {process} retried: p-3 fixed");
        var confirmed = ConfirmedTasks(history).Where(t => t.Contains("/map/")).ToList();
        confirmed.Should().OnlyHaveUniqueItems("no task is confirmed twice").And.HaveCount(6);
        var beforeRetry = ConfirmedTasks(history[..history.IndexOf(" retried: p-3 fixed", StringComparison.Ordinal)]);
        var rerun = Regex.Matches(history, @"Task (\S+/map/\d+) attempt 2 scheduled").Select(m => m.Groups[1].Value).ToList();
        rerun.Should().Contain($"{process}/map/3").And.NotIntersectWith(beforeRetry, "the tasks confirmed before the failure stood:\n" + history);
        output.WriteLine($"retry: a 6-partition query that failed on partition 3 completed once retried over the fixed file; its {beforeRetry.Count} confirmed task(s) not run again, {rerun.Count} given fresh attempts");
    }

    [Fact]
    public async Task A_paused_query_gives_its_workers_no_new_task_until_it_is_resumed_and_then_completes()
    {
        Directory.CreateDirectory(Dir["in"]);
        // 60 tasks of up to a second each on two one-slot workers: the query runs some 15 s, long enough to be paused mid-way.
        for (var f = 0; f < 60; f++) DuckDb.Execute($"COPY (SELECT {f} AS n) TO '{Dir[$"in/f-{f:00}.csv"]}' (HEADER)");
        StartDeployment(workers: 2);
        var query = Orch.RunAsync("query", "--input", "in/*.csv", "--sql", "SELECT sum(n) AS n FROM input", "--merge", "SELECT sum(n) AS n FROM partials", "--out", Dir["n.csv"]);
        await Eventually.True(async () => await CountEvents("task-confirmed.v1") >= 3, TimeSpan.FromMinutes(2), "a few tasks of the query to be confirmed");
        var process = Regex.Match((await Orch.RunAsync("status")).Output, @"(query-[0-9a-f]+)").Groups[1].Value;

        var pause = await Orch.RunAsync("pause", process, "--reason", "the warehouse reloads");

        pause.ExitCode.Should().Be(0, pause.ToString());
        (await Orch.RunAsync("status")).Output.Should().MatchRegex($@"{process}\S*\s.*paused");
        var atPause = await CountEvents("task-confirmed.v1");
        await Task.Delay(TimeSpan.FromSeconds(4)); // how long the operator keeps it paused: not a synchronisation
        var whilePaused = await CountEvents("task-confirmed.v1") - atPause;
        var resume = await Orch.RunAsync("resume", process, "--reason", "the warehouse is back");

        resume.ExitCode.Should().Be(0, resume + await HostLogs());
        resume.Output.Should().Contain($"{process} resumed: the warehouse is back (by ");
        (await query).ExitCode.Should().Be(0, "the query's own command saw it through");
        DuckDb.CsvRows(Dir["n.csv"]).Should().Equal(Enumerable.Range(0, 60).Sum().ToString());
        whilePaused.Should().BeLessThanOrEqualTo(2, "only the two tasks running on the two one-slot workers at the pause finish while it is paused");
        var history = await Orch.RunAsync("history", process);
        var paused = RecordedAt(history.Output, "paused: the warehouse reloads");
        var resumed = RecordedAt(history.Output, "resumed: the warehouse is back");
        // A task runs ReportStartAfter before its start is reported; and a worker may take one more from its prefetch in
        // the moment before the pause's stop reaches it (half a second allowed for that trip). Any start reported later
        // was taken while the process was paused.
        var takenBeforeThePause = paused + Orchestration.Adapters.Messaging.RunTaskConsumer.ReportStartAfter + TimeSpan.FromMilliseconds(500);
        var startedWhilePaused = history.Output.Split('\n').Where(l => Regex.IsMatch(l, @"attempt \d+ started on")).Select(l => RecordedAt(l, "started"))
            .Count(t => t > takenBeforeThePause && t < resumed);
        startedWhilePaused.Should().Be(0, "no task starts while the process is paused:\n" + history.Output);
        output.WriteLine($"pause: {whilePaused} task(s) finished during a 4 s pause of a 60-task query on 2 one-slot workers (those running at the pause); it completed once resumed");
    }

    [Fact]
    public async Task Retrying_pausing_or_resuming_a_process_in_the_wrong_state_is_refused_in_one_line_and_changes_nothing()
    {
        Directory.CreateDirectory(Dir["in"]);
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{Dir["in/one.csv"]}' (HEADER)");
        StartDeployment(workers: 1);
        var done = await Orch.RunAsync("query", "--input", "in/*.csv", "--sql", "SELECT sum(n) AS n FROM input", "--out", Dir["n.csv"]);
        done.ExitCode.Should().Be(0, done.ToString());
        var process = Regex.Match(done.Output, @"(query-[0-9a-f]+)").Groups[1].Value;
        var before = await HistoryOf(done);

        var refusals = new Dictionary<string, OrchCli.Result>
        {
            [$"Process {process} has completed; there is nothing to retry (start a new process to run it again)."] = await Orch.RunAsync("retry", process),
            [$"Process {process} has already ended (Completed); there is nothing to pause."] = await Orch.RunAsync("pause", process),
            [$"Process {process} is completed, not paused; only a paused process can be resumed."] = await Orch.RunAsync("resume", process),
            ["Process query-nope has not been started."] = await Orch.RunAsync("retry", "query-nope"),
            ["--dataset input=nowhere/*.csv matches no file; give a glob of the fixed files."] = await Orch.RunAsync("retry", process, "--dataset", "input=nowhere/*.csv"),
        };

        foreach (var (message, result) in refusals)
        {
            result.ExitCode.Should().Be(2, result.ToString());
            result.Error.Trim().Should().Be($"orch: {message}");
        }
        (await HistoryOf(done)).Should().Be(before, "a refused command records nothing");
    }
}
