using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>The embedded engine in-process: runtime, dispatcher, timeout manager and workers on real files and DuckDB.</summary>
public sealed class Embedded_engine : IAsyncLifetime
{
    private EmbeddedRun _run = null!;

    public async Task InitializeAsync() => _run = await EmbeddedRun.StartAsync(workers: 3, new FlakyStep());

    public async Task DisposeAsync() => await _run.DisposeAsync();

    private Task<ProcessState> RunAsync(ProcessGraph graph, int blobs = 4) => _run.RunAsync(graph, blobs);

    private Task<IReadOnlyList<IProcessEvent>> HistoryOf(ProcessId id) => _run.HistoryAsync(id);

    [Fact]
    public async Task A_map_reduce_of_sql_steps_completes_with_every_task_confirmed_once()
    {
        var state = await RunAsync(EmbeddedRun.SumOfInputs, blobs: 5);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var history = await HistoryOf(state.Id);
        history.OfType<TaskConfirmed>().GroupBy(c => c.TaskId).Should().HaveCount(6).And.OnlyContain(g => g.Count() == 1);
        history.OfType<TaskStartRecorded>().Should().BeEmpty("tasks done within a second never report their start");
        state.Outputs.Should().ContainSingle().Which.Rows.Should().Be(1);
    }

    [Fact]
    public async Task An_attempt_that_hangs_times_out_and_the_retry_completes_the_process()
    {
        var graph = ProcessGraph.Define("hang", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name), s => s.Param("mode", "hang-first").Timeout(TimeSpan.FromSeconds(1)).Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)))
            .Build();

        var state = await RunAsync(graph, blobs: 1);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var history = await HistoryOf(state.Id);
        // Its worker stops it at the timeout and reports it (or the orchestrator times it out first): either way, once.
        history.Where(e => e is TaskTimedOut { Attempt: 1 } or TaskAttemptFailed { Attempt: 1 }).Should().ContainSingle()
            .Which.ToString().Should().Contain("timed out");
        history.OfType<TaskConfirmed>().Should().ContainSingle().Which.Attempt.Should().Be(2);
    }

    [Fact]
    public async Task A_retryable_failure_is_retried_after_backoff_and_the_process_completes()
    {
        var graph = ProcessGraph.Define("flaky", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name), s => s.Param("mode", "fail-first").Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)))
            .Build();

        var state = await RunAsync(graph, blobs: 2);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var history = await HistoryOf(state.Id);
        history.OfType<TaskAttemptFailed>().Should().HaveCount(2).And.OnlyContain(f => f.Retryable && f.Error.Contains("first attempts fail"));
        var retried = history.OfType<TaskScheduled>().Where(s => s.Attempt == 2).ToList();
        retried.Should().HaveCount(2).And.OnlyContain(s => s.NotBefore - history.OfType<TaskRetryScheduled>().First(r => r.TaskId == s.TaskId).At == TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_step_that_always_fails_ends_the_process_with_the_workers_error_after_the_retry_limit()
    {
        var graph = ProcessGraph.Define("doomed", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name), s => s.Param("mode", "always-fail").Retry(2).Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)))
            .Build();

        var state = await RunAsync(graph, blobs: 1);

        state.Status.Should().Be(ProcessStatus.Failed);
        state.EndReason.Should().Contain("step 'map' failed").And.Contain("attempt 2 of 2").And.Contain("this step always fails");
        (await HistoryOf(state.Id)).OfType<ProcessFailed>().Should().ContainSingle();
    }

    [Fact]
    public async Task A_skewed_partition_packed_with_short_tasks_does_not_hold_them_back()
    {
        // On a warm pool (a fresh one's first tasks are slow with warm-up), 200 instant tasks get packed once they have
        // shown themselves short, and from then on every task goes in a pack; two neighbours take 4 s, so one of them has
        // packed tasks behind it, or the second waits behind the first in their pack. Those go back to the queue after a
        // second, and the free slots run them. The tasks go out in partition order: fewer messages than the 150 tasks
        // before the slow ones means packing began before them (a busy machine may make the first tasks look long).
        ProcessGraph Skewed(string slow) => ProcessGraph.Define("skewed", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name), s => s.Param("mode", "skewed").Param("slow", slow))
            .Build();
        (await RunAsync(Skewed(slow: "none"), blobs: 100)).Status.Should().Be(ProcessStatus.Completed);
        var counters = _run.Engine.Counters;
        var (tasksBefore, messagesBefore) = (counters.Dispatched, counters.MessagesSent);

        var state = await RunAsync(Skewed(slow: "150,151"), blobs: 200);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var (tasks, messages) = (counters.Dispatched - tasksBefore, counters.MessagesSent - messagesBefore);
        messages.Should().BeLessThan(150, $"the slow tasks and those after them travel packed ({tasks} tasks went in {messages} messages)");
        var confirmed = (await HistoryOf(state.Id)).OfType<TaskConfirmed>().ToList();
        confirmed.Select(c => c.TaskId).Should().OnlyHaveUniqueItems().And.HaveCount(200);
        var slow = confirmed.Where(c => c.TaskId.Value.EndsWith("/150") || c.TaskId.Value.EndsWith("/151")).ToList();
        var firstSlowEnded = slow.Min(c => c.At);
        confirmed.Except(slow).Should().OnlyContain(c => c.At < firstSlowEnded, "no short task waits behind a slow one in its pack");
    }

    [Fact]
    public async Task A_task_that_runs_past_its_task_timeout_is_stopped_by_its_worker_though_it_beats_and_its_slot_is_freed()
    {
        var graph = ProcessGraph.Define("long", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name),
                // It beats every 0.8 s; a heartbeat timeout past the task timeout means only the cap can end it, whichever of
                // the worker's report and the orchestrator's own timeout comes first (1.5 s lost the race on a loaded CI machine).
                s => s.Param("mode", "slow").Timeout(TimeSpan.FromSeconds(2)).Heartbeat(TimeSpan.FromSeconds(2.4)).Retry(1))
            .Build();

        var state = await RunAsync(graph, blobs: 1);

        state.Status.Should().Be(ProcessStatus.Failed);
        // The orchestrator's cap says "timed out after 2 s"; the worker's stop names the 2 s timeout and the time it took,
        // which a loaded machine may round up to 3 s.
        state.EndReason.Should().Contain("timed out after").And.Contain("2 s");
        var history = await HistoryOf(state.Id);
        var ended = history.OfType<ProcessFailed>().Single().At - history.OfType<TaskScheduled>().Single().NotBefore;
        ended.Should().BeLessThan(TimeSpan.FromSeconds(6), "the 7 s step was stopped at its 2 s timeout, not left to finish");
    }

    [Fact]
    public async Task Tasks_waiting_their_turn_in_a_deep_queue_are_not_timed_out_their_timeout_runs_from_their_start()
    {
        // 9 tasks of 2 s on 3 workers: the last ones wait about 4 s in the queue, longer than their 3 s timeout.
        var graph = ProcessGraph.Define("deep-queue", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name), s => s.Param("mode", "two-seconds").Timeout(TimeSpan.FromSeconds(3)))
            .Build();

        var state = await RunAsync(graph, blobs: 9);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var history = await HistoryOf(state.Id);
        history.OfType<TaskTimedOut>().Should().BeEmpty("no task ran longer than its timeout; history:\n" + string.Join("\n", history));
        var starts = history.OfType<TaskStartRecorded>().ToList();
        starts.Select(s => s.TaskId).Should().OnlyHaveUniqueItems().And.HaveCount(9, "each task ran past the start report and was started once");
        var scheduledAt = history.OfType<TaskScheduled>().First().NotBefore;
        starts.Max(s => s.At - scheduledAt).Should().BeGreaterThan(TimeSpan.FromSeconds(3), "the last tasks waited in the queue longer than their timeout");
    }
}
