using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>
/// Non-determinism detection on the embedded engine: a SQL step that calls <c>random()</c> (never reused, so run again)
/// run in two processes over the same bytes gives two results for one cache key, and the second process records its
/// step as non-deterministic; the same with a deterministic step that opted out of reuse records nothing.
/// </summary>
public sealed class Nondeterministic_steps : IAsyncLifetime
{
    private EmbeddedRun _run = null!;

    public async Task InitializeAsync() => _run = await EmbeddedRun.StartAsync(workers: 2);

    public Task DisposeAsync() => _run.DisposeAsync().AsTask();

    private static ProcessGraph Graph(string sql, bool noCache = false) => ProcessGraph.Define("draws", 1)
        .Map("draw", DataSource.Dataset("in"), StepWork.Sql(sql), s => { if (noCache) s.NoCache(); })
        .Build();

    [Fact]
    public async Task A_step_that_gives_two_results_for_the_same_work_over_the_same_bytes_is_flagged_and_a_deterministic_one_is_not()
    {
        var steady = Graph("SELECT sum(n)::BIGINT AS s FROM input", noCache: true);
        var chance = Graph("SELECT n, random() AS r FROM input");
        var steadyRuns = new[] { await _run.RunAsync(steady, inputs: 2), await _run.RunAsync(steady, inputs: 2) };
        var chanceRuns = new[] { await _run.RunAsync(chance, inputs: 2), await _run.RunAsync(chance, inputs: 2) };
        steadyRuns.Concat(chanceRuns).Should().OnlyContain(s => s.Status == ProcessStatus.Completed);

        // Compared as the orchestrator records results, after the process completed: wait for the flag.
        var flagged = await Eventually.Value(async () => (await _run.HistoryAsync(chanceRuns[1].Id)).OfType<StepNondeterministic>().FirstOrDefault(),
            TimeSpan.FromSeconds(30), "the second random() process to be flagged");

        flagged.Step.Should().Be("draw");
        flagged.Detail.Should().Contain($"gave another result than task {chanceRuns[0].Id}/draw/").And.Contain("for the same work over the same bytes");
        (await _run.HistoryAsync(steadyRuns[1].Id)).OfType<StepNondeterministic>().Should().BeEmpty(
            "the deterministic step ran twice (it opted out of reuse) with the same result, compared before the random() ones");
        (await _run.HistoryAsync(chanceRuns[0].Id)).OfType<StepNondeterministic>().Should().BeEmpty("the first run had nothing to differ from");
    }
}
