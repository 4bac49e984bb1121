using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Testing;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Harness;

/// <summary>
/// Specs over <see cref="Sample.SalesGraph"/> and two sales partitions unless a class or a spec picks another graph:
/// the package's <see cref="GraphSpec"/> with the sales process's histories.
/// </summary>
public abstract class SalesSpec : GraphSpec
{
    protected override ProcessGraph DefaultGraph() => SalesGraph();
    protected override IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> DefaultData() => SalesData();

    /// <summary>The inputs of the map task over sales partition <paramref name="partition"/>.</summary>
    protected IReadOnlyList<TaskInput> SalesInputs(int partition) =>
        [new("input", Data["sales"][partition]), new("stores", Data["stores"][0])];

    /// <summary>The sales process with both map tasks scheduled and running.</summary>
    protected IProcessEvent[] SalesRunning() =>
    [
        Started(), StepStarted("partials", 2),
        Scheduled("partials", 0, SalesInputs(0)), Scheduled("partials", 1, SalesInputs(1)),
    ];

    /// <summary>The sales process with both partials confirmed and the merge task running.</summary>
    protected IProcessEvent[] MergeRunning() =>
    [
        .. SalesRunning(), Confirmed("partials", 0), Confirmed("partials", 1),
        StepCompleted("partials", 2), StepStarted("total", 1), Scheduled("total", 0, MergeInputs()),
    ];

    /// <summary>The sales process, completed with the merge's output.</summary>
    protected IProcessEvent[] SalesCompleted() =>
        [.. MergeRunning(), Confirmed("total", 0), StepCompleted("total", 1), ProcessCompleted([Output("total", 0)])];

    /// <summary>The inputs of the merge task once both partials are confirmed (first attempts).</summary>
    protected IReadOnlyList<TaskInput> MergeInputs() =>
        [new("partials", Output("partials", 0)), new("partials", Output("partials", 1))];
}
