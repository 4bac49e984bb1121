using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// <see cref="Sample.ShuffleGraph"/>: "by-store.scatter" splits each sales blob into 3 buckets by store, then
/// "by-store" runs one task per bucket over that bucket of every scatter task.
/// </summary>
public sealed class shuffle_by_key : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => ShuffleGraph();

    [Fact]
    public void starting_scatters_each_sales_blob_in_its_own_task()
    {
        When(Start());
        Expect(Started(), StepStarted("by-store.scatter", 2),
            Scheduled("by-store.scatter", 0, Inputs("input", Data["sales"][0])),
            Scheduled("by-store.scatter", 1, Inputs("input", Data["sales"][1])));
    }

    [Fact]
    public void once_every_scatter_task_is_confirmed_each_bucket_task_reads_that_bucket_of_every_scatter_task()
    {
        Given([.. ScatterRunning(), Confirmed("by-store.scatter", 0, outputs: Buckets(0))]);
        When(Confirm("by-store.scatter", 1, outputs: Buckets(1)));
        Expect([Confirmed("by-store.scatter", 1, outputs: Buckets(1)), StepCompleted("by-store.scatter", 2), StepStarted("by-store", 3),
            .. Enumerable.Range(0, 3).Select(b => Scheduled("by-store", b, Inputs("input", Buckets(0)[b], Buckets(1)[b])))]);
    }

    [Fact]
    public void a_scatter_task_that_wrote_the_wrong_number_of_buckets_fails_the_shuffle_and_the_process()
    {
        Given([.. ScatterRunning(), Confirmed("by-store.scatter", 0, outputs: Buckets(0))]);
        When(Confirm("by-store.scatter", 1, outputs: Buckets(1)[..2]));
        Expect([Confirmed("by-store.scatter", 1, outputs: Buckets(1)[..2]), StepCompleted("by-store.scatter", 2),
            .. StepAndProcessFailed("by-store", "scatter task p-1/by-store.scatter/1 wrote 2 output(s) but the shuffle has 3 buckets")]);
    }

    [Fact]
    public void a_scatter_task_bucketed_by_an_older_workers_function_fails_the_shuffle_rather_than_mixing_buckets()
    {
        var olderWorker = new Dictionary<string, string>(); // a worker from before bucket functions reports none: it hashed with function 1
        Given([.. ScatterRunning(), Confirmed("by-store.scatter", 0, outputs: Buckets(0))]);
        When(Confirm("by-store.scatter", 1, outputs: Buckets(1), metadata: olderWorker));
        Expect([Confirmed("by-store.scatter", 1, outputs: Buckets(1), metadata: olderWorker), StepCompleted("by-store.scatter", 2),
            .. StepAndProcessFailed("by-store", "scatter task p-1/by-store.scatter/1 was bucketed with bucket function 1, where the shuffle uses 2 " +
                "(a worker older than the engine that built the graph?): its buckets would not meet the others'. Upgrade every worker, then run the process again")]);
    }

    [Fact]
    public void a_process_whose_graph_was_built_with_bucket_function_1_gathers_its_scatter_tasks_without_the_report()
    {
        Using(ShuffleGraph() with { Steps = ShuffleGraph().Steps.Select(s => s.Work.Kind == WorkKind.Partition ? s with { Work = s.Work with { Version = 1 } } : s).ToArray() });
        var none = new Dictionary<string, string>();
        Given([.. ScatterRunning(), Confirmed("by-store.scatter", 0, outputs: Buckets(0), metadata: none)]);
        When(Confirm("by-store.scatter", 1, outputs: Buckets(1), metadata: none));
        Expect([Confirmed("by-store.scatter", 1, outputs: Buckets(1), metadata: none), StepCompleted("by-store.scatter", 2), StepStarted("by-store", 3),
            .. Enumerable.Range(0, 3).Select(b => Scheduled("by-store", b, Inputs("input", Buckets(0)[b], Buckets(1)[b])))]);
    }

    private IProcessEvent[] ScatterRunning() =>
    [
        Started(), StepStarted("by-store.scatter", 2),
        Scheduled("by-store.scatter", 0, Inputs("input", Data["sales"][0])),
        Scheduled("by-store.scatter", 1, Inputs("input", Data["sales"][1])),
    ];

    private static BlobRef[] Buckets(int scatterTask) =>
        Enumerable.Range(0, 3).Select(b => Blob($"by-store.scatter-{scatterTask}-a1/bucket-{b}.parquet")).ToArray();
}
