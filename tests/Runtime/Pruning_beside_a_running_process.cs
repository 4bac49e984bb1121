using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Retention;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>
/// A prune racing a running process on the embedded engine deletes nothing it uses. The running process reads the same
/// input blobs as the ended one, and its map step (held back until after the prune) has the same cache keys as the ended
/// one's: the prune keeps the inputs, deletes the ended process's map outputs and drops their cache entries, so the
/// running process's map runs again instead of reusing outputs that are gone, and completes with the same total.
/// </summary>
public sealed class Pruning_beside_a_running_process : IAsyncLifetime
{
    private readonly Held _held = new();
    private EmbeddedRun _run = null!;

    public async Task InitializeAsync() => _run = await EmbeddedRun.StartAsync(workers: 2, _held);

    public Task DisposeAsync() => _run.DisposeAsync().AsTask();

    private static readonly ProcessGraph HeldThenSum = ProcessGraph.Define("held-sum", 1)
        .Run("hold", StepWork.Code(Held.Name))
        .Map("map", DataSource.Dataset("in"), StepWork.Sql("SELECT sum(n)::BIGINT AS s FROM input"), s => s.After("hold"))
        .Reduce("total", DataSource.Step("map"), StepWork.Sql("SELECT sum(s)::BIGINT AS total, count(*)::BIGINT AS parts FROM partials"), s => s.As("partials"))
        .Build();

    [Fact]
    public async Task The_prune_keeps_the_running_process_inputs_and_its_map_runs_again_rather_than_reuse_deleted_outputs()
    {
        var engine = _run.Engine;
        var inputs = new List<BlobRef>();
        for (var i = 0; i < 3; i++)
            inputs.Add(await engine.Blobs.PutAsync($"inputs/shared-{i}.csv", new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"n\n{i}\n{10 * i}\n")), 2));
        var datasets = new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = inputs };
        var (ended, running) = (ProcessId.From("ended"), ProcessId.From("running"));
        await engine.SendAsync(new StartProcess(ended, EmbeddedRun.SumOfInputs, datasets, new Dictionary<string, string>()));
        (await engine.WaitForEndAsync(ended)).Status.Should().Be(ProcessStatus.Completed);
        var endedMaps = (await _run.HistoryAsync(ended)).OfType<TaskConfirmed>().Where(c => c.TaskId.Value.Contains("/map/")).SelectMany(c => c.Outputs).ToList();
        await engine.SendAsync(new StartProcess(running, HeldThenSum, datasets, new Dictionary<string, string>()));
        await _held.Started.Task.WaitAsync(TimeSpan.FromMinutes(1));

        var refused = () => engine.PruneAsync(new PruneRequest([running], null, null, Outputs: false, "test"));
        (await refused.Should().ThrowAsync<PruneRefusedException>()).Which.Message.Should().Contain("Process running is running; only an ended process can be pruned");
        var report = await engine.PruneAsync(new PruneRequest([], DateTimeOffset.UtcNow, null, Outputs: false, "test"));

        report.Pruned.Should().Equal(ended);
        report.CacheEntriesDropped.Should().Be(3, "the ended process's map results are gone with their outputs");
        foreach (var input in inputs) (await engine.Blobs.HoldsAsync(input)).Should().BeTrue("the running process reads it");
        foreach (var output in endedMaps) (await engine.Blobs.HoldsAsync(output)).Should().BeFalse("nothing live uses the ended process's map outputs");

        _held.Release.SetResult();
        var finished = await engine.WaitForEndAsync(running).WaitAsync(TimeSpan.FromMinutes(1));
        finished.Status.Should().Be(ProcessStatus.Completed, finished.EndReason);
        var confirmed = (await _run.HistoryAsync(running)).OfType<TaskConfirmed>().ToList();
        confirmed.Where(c => c.TaskId.Value.Contains("/map/")).Should().HaveCount(3).And.OnlyContain(c => c.ReusedFrom == null, "their recorded results were dropped with their outputs");
        confirmed.Single(c => c.TaskId.Value.Contains("/total/")).Metadata["rows"].Should().Be("1");
    }

    /// <summary>Starts, says so, and waits for the test to let it finish.</summary>
    private sealed class Held : ICodeStep
    {
        public const string Name = "held";
        string ICodeStep.Name => Name;
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return new CodeStepResult([], new Dictionary<string, string>());
        }
    }
}
