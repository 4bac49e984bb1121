using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Operations.Dashboard;
using Orchestration.Ports;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>
/// The timeline at 10,000 tasks: the page gets a bounded number of bins rather than 10,000 bars, and the bins account
/// for all the time the attempts ran (nothing lost to rounding, nothing counted twice). The events are written here, as
/// a process of that size would record them, since running 10,000 tasks belongs in bench/, not in the suite.
/// </summary>
public sealed class Timeline_of_many_tasks
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly ProcessId Process = ProcessId.From("big");

    [Fact]
    public void Ten_thousand_attempts_on_eight_workers_come_as_bins_that_add_up_to_the_time_they_ran()
    {
        var timeline = new TaskTimeline();
        var version = 0L;
        void Record(IProcessEvent e, DateTimeOffset at) => timeline.Apply(new StoredEvent(++version, "process-big", version, e, at));
        var ran = TimeSpan.Zero;
        for (var i = 0; i < 10_000; i++)
        {
            var task = TaskId.For(Process, "map", i);
            var worker = WorkerId.From($"w{i % 8}");
            var (queued, start) = (T0.AddMilliseconds(i * 5), T0.AddMilliseconds(i * 5 + 40));
            var took = TimeSpan.FromMilliseconds(30 + i % 50);
            Record(new TaskScheduled(Process, task, 1, "map", i, [], null, queued, queued.AddMinutes(5)), queued);
            Record(new TaskStartRecorded(Process, task, 1, worker, start.AddMinutes(1), start), start);
            if (i % 1000 == 999) Record(new TaskAttemptFailed(Process, task, 1, worker, "boom", true, start + took), start + took);
            else Record(new TaskConfirmed(Process, task, 1, worker, [], new Dictionary<string, string>(), new TaskMetrics(1, 1, 1, took), start + took), start + took);
            ran += took;
        }

        var view = timeline.View(T0.AddHours(1), maxBars: 2_000, bins: 150);

        view.Attempts.Should().Be(10_000);
        view.Bars.Should().BeNull("10,000 bars would freeze the page");
        view.Outcomes.Should().BeEquivalentTo(new Dictionary<string, int> { ["confirmed"] = 9_990, ["failed"] = 10 });
        view.Lanes.Should().Equal(Enumerable.Range(0, 8).Select(w => $"w{w}"));
        view.Bins!.Should().HaveCount(8).And.OnlyContain(l => l.Busy.Count == 150);
        var binWidth = (view.To - view.From) / 150;
        (view.Bins!.Sum(l => l.Busy.Sum()) * binWidth.TotalMilliseconds).Should().BeApproximately(ran.TotalMilliseconds, ran.TotalMilliseconds * 0.001);
        view.Bins!.Sum(l => l.Failed.Sum()).Should().Be(10);
    }

    [Fact]
    public void A_stragglers_copy_that_wins_leaves_the_original_superseded_on_its_worker()
    {
        var timeline = new TaskTimeline();
        var version = 0L;
        void Record(IProcessEvent e, DateTimeOffset at) => timeline.Apply(new StoredEvent(++version, "process-big", version, e, at));
        var task = TaskId.For(Process, "map", 0);
        Record(new TaskScheduled(Process, task, 1, "map", 0, [], null, T0, T0.AddMinutes(5)), T0);
        Record(new TaskStartRecorded(Process, task, 1, WorkerId.From("slow"), T0.AddMinutes(1), T0.AddSeconds(1)), T0.AddSeconds(1));
        Record(new TaskScheduled(Process, task, 2, "map", 0, [], null, T0.AddSeconds(10), T0.AddMinutes(5), CopyOf: 1, AwayFrom: WorkerId.From("slow")), T0.AddSeconds(10));
        Record(new TaskStartRecorded(Process, task, 2, WorkerId.From("fast"), T0.AddMinutes(1), T0.AddSeconds(11)), T0.AddSeconds(11));
        Record(new TaskConfirmed(Process, task, 2, WorkerId.From("fast"), [], new Dictionary<string, string>(), new TaskMetrics(1, 1, 1, TimeSpan.FromSeconds(1)), T0.AddSeconds(12)), T0.AddSeconds(12));

        var bars = timeline.View(T0.AddHours(1), maxBars: 10, bins: 10).Bars!;

        bars.Select(b => (b.Attempt, b.Lane, b.Copy, b.Outcome, b.Ended)).Should().Equal(
            (1, "slow", false, "superseded", T0.AddSeconds(12)),
            (2, "fast", true, "confirmed", T0.AddSeconds(12)));
    }
}
