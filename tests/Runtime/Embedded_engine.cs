using FluentAssertions;
using Orchestration.Adapters.Hosting;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Sql;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>The embedded engine in-process: runtime, dispatcher, timeout manager and workers on real files and DuckDB.</summary>
public sealed class Embedded_engine : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly FlakyStep _flaky = new();
    private EmbeddedEngine _engine = null!;

    public async Task InitializeAsync() =>
        _engine = await EmbeddedEngine.StartAsync(new EngineOptions(_dir["data"], Workers: 3, FlushToDisk: false, ShutdownGrace: TimeSpan.FromMilliseconds(200)), steps => steps.Add(_flaky));

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<ProcessState> RunAsync(ProcessGraph graph, int blobs = 4)
    {
        var inputs = new List<BlobRef>();
        for (var i = 0; i < blobs; i++)
            inputs.Add(await _engine.Blobs.PutAsync($"inputs/{i}.csv", new MemoryStream("n\n1\n2\n"u8.ToArray()), 2));
        var id = ProcessId.From($"p-{Guid.NewGuid():N}");
        await _engine.StartOrResumeAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = inputs }, new Dictionary<string, string>()));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await _engine.WaitForEndAsync(id, cancellationToken: deadline.Token);
    }

    private async Task<IReadOnlyList<IProcessEvent>> HistoryOf(ProcessId id) =>
        (await _engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(id)).ToListAsync()).Select(e => e.Event).ToList();

    [Fact]
    public async Task A_map_reduce_of_sql_steps_completes_with_every_task_confirmed_once()
    {
        var graph = ProcessGraph.Define("sum", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Sql("SELECT sum(n)::BIGINT AS s FROM input"))
            .Reduce("total", DataSource.Step("map"), StepWork.Sql("SELECT sum(s)::BIGINT AS total, count(*)::BIGINT AS parts FROM partials"), s => s.As("partials"))
            .Build();

        var state = await RunAsync(graph, blobs: 5);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var history = await HistoryOf(state.Id);
        history.OfType<TaskConfirmed>().GroupBy(c => c.TaskId).Should().HaveCount(6).And.OnlyContain(g => g.Count() == 1);
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
        history.OfType<TaskTimedOut>().Should().ContainSingle().Which.Attempt.Should().Be(1);
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
    public async Task A_long_task_whose_worker_beats_outlives_its_task_timeout_and_completes()
    {
        var graph = ProcessGraph.Define("long", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code(FlakyStep.Name),
                s => s.Param("mode", "slow").Timeout(TimeSpan.FromSeconds(3)).Heartbeat(TimeSpan.FromSeconds(1.5)))
            .Build();

        var state = await RunAsync(graph, blobs: 1);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var history = await HistoryOf(state.Id);
        history.OfType<TaskTimedOut>().Should().BeEmpty("the worker kept reporting the task alive; history:\n" + string.Join("\n", history));
        history.OfType<TaskHeartbeatRecorded>().Should().NotBeEmpty().And.OnlyContain(h => h.Attempt == 1);
    }

    /// <summary>A C# step whose behaviour the graph chooses: fail or hang on the first attempt, or always fail.</summary>
    private sealed class FlakyStep : ICodeStep
    {
        public const string Name = "flaky";
        string ICodeStep.Name => Name;

        public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
        {
            var mode = context.Task.Parameters["mode"];
            if (mode == "always-fail") throw new StepFailure("this step always fails", retryable: true);
            if (context.Task.Attempt == 1 && mode == "fail-first") throw new StepFailure("first attempts fail", retryable: true);
            if (context.Task.Attempt == 1 && mode == "hang-first") await Task.Delay(Timeout.Infinite, cancellationToken);
            if (mode == "slow") await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken); // the step's own work, longer than its timeout
            return new CodeStepResult([], new Dictionary<string, string>());
        }
    }
}
