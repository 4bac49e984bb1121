using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// A task timeout holds on a live, beating worker: a SQL step that never ends is stopped by its worker process at its
/// task timeout, the attempt recorded as timed out, and the worker's one slot is free for the next task at once.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Timeouts_that_hold(Xunit.Abstractions.ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task A_never_ending_sql_step_times_out_at_its_task_timeout_and_its_slot_runs_the_next_task_at_once()
    {
        Directory.CreateDirectory(Dir["hang"]);
        Directory.CreateDirectory(Dir["quick"]);
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{Dir["hang/one.csv"]}' (HEADER)");
        DuckDb.Execute($"COPY (SELECT 2 AS n) TO '{Dir["quick/two.csv"]}' (HEADER)");
        StartDeployment(workers: 1); // one worker, one slot: the next task can only run on the slot the hung one held

        var hung = await Orch.RunAsync("query", "--input", "hang/*.csv", "--sql", "SELECT count(*) AS n FROM input, range(100000000000)",
            "--task-timeout", "15", "--attempts", "1", "--out", Dir["hung.csv"]);

        hung.ExitCode.Should().NotBe(0, hung.ToString());
        hung.Error.Should().Contain("timed out after 15 s on w1");
        var history = await HistoryOf(hung);
        var started = RecordedAt(history, @"map/0 attempt 1 started on w1");
        var stopped = RecordedAt(history, @"map/0 attempt 1 (failed on w1|timed out)");
        (stopped - started).TotalSeconds.Should().BeInRange(10, 20, $"the attempt ends at its 15 s task timeout, counted from its start:\n{history}");

        var next = await Orch.RunAsync("query", "--input", "quick/*.csv", "--sql", "SELECT sum(n) AS n FROM input", "--out", Dir["next.csv"]);

        next.ExitCode.Should().Be(0, next + await HostLogs());
        DuckDb.CsvRows(Dir["next.csv"]).Should().Equal("2");
        output.WriteLine($"hung step: a never-ending SQL step with a 15 s task timeout ended {(stopped - started).TotalSeconds:0.0} s after its start; the next query on the same one-slot worker completed");
    }

    [Fact]
    public async Task A_frozen_worker_is_noticed_within_its_heartbeat_timeout_though_its_task_timeout_is_far_off()
    {
        Directory.CreateDirectory(Dir["hang"]);
        DuckDb.Execute($"COPY (SELECT 1 AS n) TO '{Dir["hang/one.csv"]}' (HEADER)");
        StartHost("orchestrator");
        var worker = StartHost("worker", "--name", "w1", "--slots", "1");
        var query = Orch.RunAsync("query", "--input", "hang/*.csv", "--sql", "SELECT count(*) AS n FROM input, range(100000000000)",
            "--task-timeout", "600", "--heartbeat-timeout", "6", "--attempts", "1", "--out", Dir["hung.csv"]);
        await Eventually.True(async () => await CountEvents("task-start-recorded.v1") >= 1, TimeSpan.FromMinutes(2), "the worker to start the task");

        System.Diagnostics.Process.Start("kill", ["-STOP", worker.Id.ToString()])!.WaitForExit();
        var frozenAt = DateTimeOffset.UtcNow;
        var hung = await query;

        hung.ExitCode.Should().NotBe(0, hung.ToString());
        hung.Error.Should().Contain("its worker w1 sent no heartbeat for 6 s (is it frozen or gone?)");
        var noticed = RecordedAt(await HistoryOf(hung), @"map/0 attempt 1 timed out") - frozenAt;
        noticed.TotalSeconds.Should().BeLessThan(6 + 2, "a beat every 2 s, the last one at most 2 s before the freeze: the deadline is at most 6 s after it");
        output.WriteLine($"frozen worker: SIGSTOPped mid-task with a 600 s task timeout and a 6 s heartbeat timeout, its attempt timed out {noticed.TotalSeconds:0.0} s after the freeze");
    }
}
