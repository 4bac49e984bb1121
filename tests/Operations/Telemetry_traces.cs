using System.Diagnostics;
using FluentAssertions;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Workers;
using Orchestration.Operations.Telemetry;
using Orchestration.Processes;
using Orchestration.Tests.Runtime;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>One task's spans, exported as an operator's collector would receive them, form one trace.</summary>
[Collection(TelemetryListeners.Name)]
public sealed class Telemetry_traces
{
    private readonly List<Activity> _spans = [];

    private async Task<TaskId> RunOneProcessAsync()
    {
        using var tracing = Sdk.CreateTracerProviderBuilder().AddEngineSources().AddInMemoryExporter(_spans).Build();
        await using var run = await EmbeddedRun.StartAsync(workers: 2);
        var state = await run.RunAsync(EmbeddedRun.SumOfInputs, inputs: 3);
        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var task = TaskId.For(state.Id, "map", 1);
        // The confirmation's span ends just after the aggregate answers, which may be after the process is seen to end.
        // The exporter adds from other threads; ToArray copies without the enumerator's modification check.
        await Eventually.True(() => _spans.ToArray().Any(s => s.DisplayName == "confirm task" && Equals(s.GetTagItem(SpanTags.Task), task.Value)),
            TimeSpan.FromSeconds(10), "the confirmation's span exported");
        return task;
    }

    [Fact]
    public async Task One_task_is_one_trace_from_dispatch_through_the_worker_to_its_confirmation()
    {
        var task = await RunOneProcessAsync();

        var dispatch = SpansOf(task, "dispatch task").Should().ContainSingle().Subject;
        var run = SpansOf(task, "run task").Should().ContainSingle().Subject;
        var confirm = SpansOf(task, "confirm task").Should().ContainSingle().Subject;
        run.TraceId.Should().Be(dispatch.TraceId, "the worker continues the dispatcher's trace");
        confirm.TraceId.Should().Be(dispatch.TraceId, "the confirmation continues the worker's trace");
        dispatch.ParentSpanId.Should().Be(default(ActivitySpanId), "each task's trace starts at its dispatch");
        var trace = _spans.Where(s => s.TraceId == dispatch.TraceId).ToList();
        trace.Where(s => s.Source.Name == TelemetryRegistration.MassTransitName).Select(s => s.Kind)
            .Should().Contain([ActivityKind.Producer, ActivityKind.Consumer], "MassTransit's send and consume spans carry the trace across the queue");
        trace.Select(s => s.RootId).Distinct().Should().ContainSingle();
        confirm.GetTagItem("orchestration.dropped").Should().BeNull("the first confirmation is accepted");
    }

    [Fact]
    public async Task The_blob_transfers_and_the_duckdb_query_are_children_of_the_workers_task_span()
    {
        var task = await RunOneProcessAsync();

        var run = SpansOf(task, "run task").Single();
        var children = _spans.Where(s => s.ParentSpanId == run.SpanId && s.TraceId == run.TraceId).ToList();
        children.Select(s => s.DisplayName).Should().BeEquivalentTo(["download blob", "duckdb query", "upload blob"]);
        children.Should().OnlyContain(s => s.Source.Name == WorkerTelemetry.Name);
        children.Single(s => s.DisplayName == "download blob").GetTagItem("orchestration.blob").Should().NotBeNull();
        run.GetTagItem(SpanTags.Worker).Should().NotBeNull();
        run.Status.Should().Be(ActivityStatusCode.Unset);
    }

    private IEnumerable<Activity> SpansOf(TaskId task, string name) =>
        _spans.Where(s => s.DisplayName == name && Equals(s.GetTagItem(SpanTags.Task), task.Value));
}
