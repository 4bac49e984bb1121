using System.Globalization;
using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>
/// A C# step that reports progress from its own code, on the embedded engine (the worker's real code path): with a 3 s
/// task timeout that its graph lets progress extend up to 8 s, a 4 s run completes, a run that never ends is stopped at
/// 8 s, and the same 4 s run without the extension is stopped at 3 s. The history shows the progress it reported.
/// Progress is passed on at most once a second and each report moves the cap a task timeout on: 3 s leaves a loaded
/// machine 2 s between reports (2 s left it 1 s, and a CI run once saw the cap come before the report).
/// </summary>
public sealed class Progress_extending_a_timeout : IAsyncLifetime
{
    private EmbeddedRun _run = null!;

    public async Task InitializeAsync() => _run = await EmbeddedRun.StartAsync(workers: 3, new Progressing());

    public Task DisposeAsync() => _run.DisposeAsync().AsTask();

    private static ProcessGraph Graph(int seconds, bool extended) => ProcessGraph.Define("progressing", 1)
        .Map("work", DataSource.Dataset("in"), StepWork.Code(Progressing.Name), s =>
        {
            s.Param("seconds", seconds.ToString(CultureInfo.InvariantCulture)).Timeout(TimeSpan.FromSeconds(3)).Retry(1);
            if (extended) s.TimeoutExtendedByProgress(TimeSpan.FromSeconds(8));
        })
        .Build();

    [Fact]
    public async Task Progress_lets_a_step_run_past_its_timeout_where_the_graph_allows_it_and_only_up_to_its_limit()
    {
        var runs = await Task.WhenAll(
            _run.RunAsync(Graph(seconds: 4, extended: true), inputs: 1),
            _run.RunAsync(Graph(seconds: 60, extended: true), inputs: 1),
            _run.RunAsync(Graph(seconds: 4, extended: false), inputs: 1));
        var (extended, endless, plain) = (runs[0], runs[1], runs[2]);

        extended.Status.Should().Be(ProcessStatus.Completed, extended.EndReason);
        (await _run.HistoryAsync(extended.Id)).OfType<TaskHeartbeatRecorded>().Should().Contain(b => b.Progress != null && b.Progress.EndsWith(" of 16") && b.Cap != null,
            "the step's progress is in the history, and moved the attempt's cap");
        endless.Status.Should().Be(ProcessStatus.Failed);
        endless.EndReason.Should().Contain("timed out after 8 s").And.Contain("extended by progress up to 8 s");
        plain.Status.Should().Be(ProcessStatus.Failed);
        plain.EndReason.Should().Contain("timed out after 3 s");
    }

    /// <summary>Works for its <c>seconds</c> parameter, reporting its progress four times a second.</summary>
    private sealed class Progressing : ICodeStep
    {
        public const string Name = "progressing";
        string ICodeStep.Name => Name;

        public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
        {
            var quarters = 4 * int.Parse(context.Task.Parameters["seconds"], CultureInfo.InvariantCulture);
            for (var done = 1; done <= quarters; done++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken); // the step's own work
                context.ReportProgress($"{done} of {quarters}");
            }
            return new CodeStepResult([], new Dictionary<string, string>());
        }
    }
}
