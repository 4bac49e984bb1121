using FluentAssertions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Operations.Telemetry;
using Orchestration.Processes;
using Orchestration.Tests.Runtime;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>The engine's metrics, as an exporter reads them, count what the process's history shows happened.</summary>
[Collection(TelemetryListeners.Name)]
public sealed class Telemetry_metrics
{
    private readonly List<MetricSnapshot> _exported = [];

    [Fact]
    public async Task The_task_counters_equal_the_tasks_of_the_process_and_a_duplicate_result_is_counted_as_dropped()
    {
        using var metrics = Sdk.CreateMeterProviderBuilder().AddEngineMeters().AddInMemoryExporter(_exported).Build();
        await using var run = await EmbeddedRun.StartAsync(workers: 2);

        var state = await run.RunAsync(EmbeddedRun.SumOfInputs, inputs: 4);
        var confirmed = (await run.HistoryAsync(state.Id)).OfType<TaskConfirmed>().First();
        var again = await run.Engine.Runtime.SendAsync(new ConfirmTask(confirmed.ProcessId, confirmed.TaskId, confirmed.Attempt, confirmed.Worker,
            confirmed.Outputs, confirmed.Metadata, confirmed.Metrics));
        await CountedAsync(metrics, "orchestration.tasks.confirmed", 5);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        again.Dropped.Should().NotBeNull();
        Sum("orchestration.tasks.scheduled").Should().Be(5, "4 map tasks and 1 reduce task");
        Sum("orchestration.tasks.confirmed").Should().Be(5);
        Sum("orchestration.tasks.duplicates_dropped").Should().Be(1, "one result was sent twice");
        Sum("orchestration.tasks.retried").Should().Be(0);
        Sum("orchestration.tasks.timed_out").Should().Be(0);
        HistogramCount("orchestration.task.duration").Should().Be(5, "each task ran once on a worker");
    }

    [Fact]
    public async Task An_attempt_that_hangs_counts_as_timed_out_and_its_next_attempt_as_a_retry()
    {
        var graph = ProcessGraph.Define("hangs", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name), s => s.Param("mode", "hang-first").Timeout(TimeSpan.FromSeconds(1)).Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)))
            .Build();
        using var metrics = Sdk.CreateMeterProviderBuilder().AddEngineMeters().AddInMemoryExporter(_exported).Build();
        await using var run = await EmbeddedRun.StartAsync(workers: 2, new FlakyStep());

        var state = await run.RunAsync(graph, inputs: 1);
        await CountedAsync(metrics, "orchestration.tasks.confirmed", 1);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        Sum("orchestration.tasks.scheduled").Should().Be(1);
        Sum("orchestration.tasks.timed_out").Should().Be(1);
        Sum("orchestration.tasks.retried").Should().Be(1);
        Sum("orchestration.tasks.confirmed").Should().Be(1);
    }

    /// <summary>
    /// The counters count events just after they are stored, so a moment after a watcher may see the process end:
    /// exports are read once <paramref name="name"/> reached <paramref name="expected"/> (the tests then check each exactly).
    /// </summary>
    private async Task CountedAsync(MeterProvider metrics, string name, long expected) =>
        await Eventually.True(() => { metrics.ForceFlush(); return Sum(name) >= expected; }, TimeSpan.FromSeconds(10), $"{name} counted {expected}");

    // Cumulative temporality: the last export holds the total since the provider started.
    private long Sum(string name) =>
        _exported.LastOrDefault(m => m.Name == name)?.MetricPoints.Sum(p => p.GetSumLong()) ?? 0;

    private long HistogramCount(string name) =>
        _exported.LastOrDefault(m => m.Name == name)?.MetricPoints.Sum(p => p.GetHistogramCount()) ?? 0;
}
