using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>A worker stopped with SIGTERM mid-task hands the task back; another worker runs it; nothing waits for a timeout.</summary>
[Collection(RealProcesses.Name)]
public sealed class Worker_shutdown : DistributedStack
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartHost("orchestrator");
    }

    private static void Terminate(Process host) => Process.Start("kill", ["-TERM", host.Id.ToString()])!.WaitForExit();

    /// <summary>A task's scratch directory exists while it runs on the worker of <paramref name="scratch"/>.</summary>
    private static Task TaskRunning(string scratch) =>
        Eventually.True(() => Directory.Exists(Path.Combine(scratch, "slot-0")) && Directory.EnumerateDirectories(Path.Combine(scratch, "slot-0")).Any(d => !d.EndsWith(".spill")),
            TimeSpan.FromSeconds(60), "the task running on the worker");

    [Fact]
    public async Task A_worker_stopped_with_sigterm_finishes_its_running_task_within_its_grace_period()
    {
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{Dir["one.csv"]}' (HEADER)");
        var scratch = Dir["scratch-finishing"];
        var worker = StartHost("worker", "--name", $"finishing-{Name}", "--slots", "1", "--prefetch", "1", "--grace-seconds", "90", "--scratch", scratch);
        const string Sql = "SELECT sum(hash(range) % 7)::BIGINT AS n FROM input, range(200000000)";
        var query = Orch.RunAsync("query", "--input", "one.csv", "--sql", Sql, "--out", Dir["out.csv"]);
        await TaskRunning(scratch);

        Terminate(worker);
        // No other worker until it has exited: only the stopping worker can complete the running task.
        (await Task.Run(() => worker.WaitForExit(TimeSpan.FromSeconds(90)))).Should().BeTrue("the worker exits once its task is done");
        StartHost("worker", "--name", $"merging-{Name}", "--slots", "1");
        var result = await query;

        result.ExitCode.Should().Be(0, result.ToString());
        var process = Regex.Match(result.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;
        (await Orch.RunAsync("history", process)).Output.Should().MatchRegex($@"map/0 attempt 1 confirmed by finishing-{Name}", "the task finished on the stopping worker");
    }

    [Fact]
    public async Task A_task_running_on_a_worker_stopped_with_sigterm_is_handed_back_and_completed_by_another_worker()
    {
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{Dir["one.csv"]}' (HEADER)");
        var scratch = Dir["scratch-leaving"];
        var first = StartHost("worker", "--name", $"leaving-{Name}", "--slots", "1", "--prefetch", "1", "--grace-seconds", "1", "--scratch", scratch);
        // Long enough to be running when the worker is stopped: a few seconds of DuckDB on one thread.
        var query = Orch.RunAsync("query", "--input", "one.csv", "--sql", "SELECT sum(hash(range) % 7)::BIGINT AS n FROM input, range(400000000)", "--out", Dir["out.csv"]);
        await TaskRunning(scratch);

        Terminate(first);
        (await Task.Run(() => first.WaitForExit(TimeSpan.FromSeconds(30)))).Should().BeTrue("a stopped worker exits within its grace period");
        StartHost("worker", "--name", $"staying-{Name}", "--slots", "1"); // own names, own scratch: other runs of this test may share the machine
        var result = await query;

        result.ExitCode.Should().Be(0, result.ToString());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(DuckDb.Rows("SELECT sum(hash(range) % 7)::BIGINT FROM range(400000000)"));
        var process = Regex.Match(result.Output, @"process (query-[0-9a-f]+)").Groups[1].Value;
        var history = await Orch.RunAsync("history", process);
        history.Output.Should().NotContain("timed out", "the task was handed back at once, not left to time out")
            .And.MatchRegex(@"map/0 attempt 1 confirmed by staying");
    }
}
