using System.Diagnostics;
using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: a worker freezes mid-process (SIGSTOP: its connection stays open, so the broker does not hand its task back)
/// and is later SIGKILLed. With speculation off, nothing but the orchestrator's timeout can save its task: the attempt
/// times out, a new attempt runs on another worker, and the result is still exact with every task confirmed once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Worker_frozen(ITestOutputHelper output) : DistributedStack
{
    [Fact]
    public async Task A_frozen_then_killed_worker_s_task_times_out_and_runs_again_elsewhere()
    {
        const int files = 20;
        StartHost("orchestrator");
        // The worker to freeze takes up to 3 s a task, so it is frozen mid-task, not in the instant between a result and its ack.
        var frozen = StartHost(Cli(new Dictionary<string, string> { ["Orchestration__Faults__MaxLatencyMs"] = "3000" }), "worker", "--name", "w1", "--slots", "1", "--prefetch", "1");
        // The other worker is slowed too, so the queue still holds work when w1 freezes: w1 then always holds a
        // delivered task (prefetch 1), never idles with nothing for its timeout to save (seen once with a fast w2).
        StartHost(Cli(new Dictionary<string, string> { ["Orchestration__Faults__MaxLatencyMs"] = "400" }), "worker", "--name", "w2", "--slots", "1", "--prefetch", "1");

        var run = await QueryThroughFaultAsync(files, faultAfter: 5, async () =>
        {
            Process.Start("kill", ["-STOP", frozen.Id.ToString()])!.WaitForExit();
            await Eventually.True(async () => await CountEvents("task-timed-out.v1") >= 1, TimeSpan.FromMinutes(2), "the frozen worker's task to time out");
            frozen.Kill(entireProcessTree: true);
            StartHost("worker", "--name", "w3", "--slots", "1", "--prefetch", "1");
            // The task timeout must come before RabbitMQ's own verdict on the frozen connection (2-3 missed 10 s
            // heartbeats), which would hand the task back without any timeout; 5 attempts leave room for a slow machine.
            // The short queue timeout covers a task frozen after delivery, before its worker could report its start.
        }, "--task-timeout", "6", "--queue-timeout", "6", "--attempts", "5", "--no-speculation"); // a copy of the frozen task would save it first

        run.TimedOut.Should().BeGreaterThan(0, "the frozen worker's task is only saved by its timeout");
        run.History.Should().MatchRegex(@"attempt 2 confirmed by w[23]", "the timed-out task ran again on a live worker");
        foreach (var line in run.History.Split('\n').Where(l => l.Contains("retried"))) output.WriteLine(line);
        output.WriteLine($"chaos worker frozen: {files + 1} tasks, 1 worker frozen then killed at {run.ConfirmedAtFault} confirmed, {run.TimedOut} timed out, {run.Retries} retries, {run.Elapsed.TotalSeconds:0.0} s (first confirmation {run.Recovery.TotalSeconds:0.0} s after the fault), result match");
    }
}
