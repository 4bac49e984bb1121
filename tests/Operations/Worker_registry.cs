using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Runtime;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>The orchestrator's registry of live workers, folded from their status beats, on a fake clock.</summary>
public sealed class Worker_registry
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly WorkerRegistry _registry;

    public Worker_registry() => _registry = new WorkerRegistry(_clock);

    private WorkerStatus Beat(string worker, bool stopping = false, params string[] running) =>
        new(WorkerId.From(worker), new Dictionary<string, string> { ["region"] = "EU", ["store"] = "paris-1" }, 2,
            running.Select(TaskId.From).ToList(), _clock.GetUtcNow(), stopping);

    [Fact]
    public void A_beating_worker_is_listed_with_its_labels_slots_running_tasks_and_when_it_was_last_seen()
    {
        _registry.Record(Beat("w1", running: "p/map/0"));

        var worker = _registry.Live().Should().ContainSingle().Subject;
        worker.Id.Should().Be(WorkerId.From("w1"));
        worker.Labels.Should().Contain("region", "EU").And.Contain("store", "paris-1");
        worker.Slots.Should().Be(2);
        worker.Running.Should().Equal(TaskId.From("p/map/0"));
        worker.LastSeen.Should().Be(_clock.GetUtcNow());
    }

    [Fact]
    public void A_worker_that_stops_beating_drops_out_after_about_three_missed_beats()
    {
        _registry.Record(Beat("w1"));
        _registry.Record(Beat("w2"));

        _clock.Advance(3 * WorkerStatus.Interval);
        _registry.Record(Beat("w2"));
        _registry.Live().Select(w => w.Id.Value).Should().Equal("w1", "w2");

        _clock.Advance(WorkerStatus.Interval);
        _registry.Live().Select(w => w.Id.Value).Should().Equal(["w2"], "w1 missed its fourth beat");
    }

    [Fact]
    public void A_stopping_worker_drops_out_at_once_and_a_beat_overtaken_by_the_stop_does_not_bring_it_back()
    {
        var late = Beat("w1");
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        _registry.Record(Beat("w1"));

        _registry.Record(Beat("w1", stopping: true));
        _registry.Record(late);

        _registry.Live().Should().BeEmpty();
    }

    [Fact]
    public void A_worker_started_again_under_the_same_name_is_listed_again()
    {
        _registry.Record(Beat("w1", stopping: true));
        _clock.Advance(TimeSpan.FromSeconds(1));

        _registry.Record(Beat("w1"));

        _registry.Live().Should().ContainSingle().Which.Id.Should().Be(WorkerId.From("w1"));
    }

    [Fact]
    public void A_worker_status_reads_as_a_sentence()
    {
        var status = new WorkerStatus(WorkerId.From("w1"), new Dictionary<string, string> { ["region"] = "EU" }, 2, [TaskId.From("p/map/0")],
            new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));

        status.ToString().Should().Be("Worker w1 (region=EU) alive at 2026-01-05T09:00:00.0000000+00:00, running 1 of 2 slot(s)");
        (status with { Stopping = true }).ToString().Should().Be("Worker w1 (region=EU) stopping at 2026-01-05T09:00:00.0000000+00:00");
    }
}
