using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>
/// A step limited to 2 tasks at once, on an engine with 4 worker slots: measured where the work runs, in the step
/// itself, no more than 2 of its tasks ever run at the same time, and 2 do.
/// </summary>
public sealed class A_concurrency_limit : IAsyncLifetime
{
    private readonly ConcurrencyProbe _probe = new();
    private EmbeddedRun _run = null!;

    public async Task InitializeAsync() => _run = await EmbeddedRun.StartAsync(workers: 4, _probe);

    public Task DisposeAsync() => _run.DisposeAsync().AsTask();

    [Fact]
    public async Task Of_2_is_never_exceeded_measured_from_the_worker_side()
    {
        var graph = ProcessGraph.Define("limited", 1)
            .Map("call", DataSource.Dataset("in"), StepWork.Code(ConcurrencyProbe.Name), s => s.MaxConcurrency(2))
            .Build();

        var state = await _run.RunAsync(graph, inputs: 8);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        _probe.Runs.Should().Be(8);
        _probe.MostAtOnce.Should().Be(2, "the limit holds, and with 4 free slots it is reached");
    }

    /// <summary>A step that takes a moment and counts how many of its runs overlap.</summary>
    private sealed class ConcurrencyProbe : ICodeStep
    {
        public const string Name = "probe";
        private int _now, _most, _runs;
        string ICodeStep.Name => Name;

        public int MostAtOnce => Volatile.Read(ref _most);
        public int Runs => Volatile.Read(ref _runs);

        public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _now);
            for (var most = Volatile.Read(ref _most); now > most; most = Volatile.Read(ref _most))
                if (Interlocked.CompareExchange(ref _most, now, most) == most) break;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
                Interlocked.Increment(ref _runs);
            }
            return new CodeStepResult([], new Dictionary<string, string>());
        }
    }
}
