using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A shuffle join: sales and stores each cut by store into the same 3 buckets ("by-store.scatter" and
/// "by-store.scatter.stores"), then bucket task b reads bucket b of the sales as <c>input</c> and of the stores as
/// <c>stores</c>, so the rows of one store meet in one task.
/// </summary>
public sealed class shuffle_join : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => ProcessGraph.Define("sales-join-stores", 1)
        .Shuffle("by-store", [new ShuffledInput(null, DataSource.Dataset("sales"), "store"), ShuffledInput.As("stores", DataSource.Dataset("stores"), "store")], 3,
            StepWork.Sql("SELECT s.store, sum(amount) FROM input s JOIN stores USING (store) GROUP BY ALL"))
        .Build();

    [Fact]
    public void starting_scatters_both_inputs_at_once_each_blob_in_its_own_task()
    {
        When(Start());
        Expect(Started(),
            StepStarted("by-store.scatter", 2),
            Scheduled("by-store.scatter", 0, Inputs("input", Data["sales"][0])),
            Scheduled("by-store.scatter", 1, Inputs("input", Data["sales"][1])),
            StepStarted("by-store.scatter.stores", 1),
            Scheduled("by-store.scatter.stores", 0, Inputs("input", Data["stores"][0])));
    }

    [Fact]
    public void once_both_inputs_are_scattered_bucket_task_b_reads_bucket_b_of_each_under_its_view()
    {
        Given([.. Begun(), Confirmed("by-store.scatter", 0, outputs: Buckets("by-store.scatter", 0)), Confirmed("by-store.scatter", 1, outputs: Buckets("by-store.scatter", 1)),
            StepCompleted("by-store.scatter", 2)]);
        When(Confirm("by-store.scatter.stores", 0, outputs: Buckets("by-store.scatter.stores", 0)));
        Expect([Confirmed("by-store.scatter.stores", 0, outputs: Buckets("by-store.scatter.stores", 0)), StepCompleted("by-store.scatter.stores", 1), StepStarted("by-store", 3),
            .. Enumerable.Range(0, 3).Select(b => Scheduled("by-store", b,
                [.. Inputs("input", Buckets("by-store.scatter", 0)[b], Buckets("by-store.scatter", 1)[b]), .. Inputs("stores", Buckets("by-store.scatter.stores", 0)[b])]))]);
    }

    [Fact]
    public void the_join_waits_for_every_input_to_be_scattered()
    {
        Given(Begun());
        When(Confirm("by-store.scatter", 0, outputs: Buckets("by-store.scatter", 0)));
        Expect(Confirmed("by-store.scatter", 0, outputs: Buckets("by-store.scatter", 0)));
    }

    private static BlobRef[] Buckets(string scatter, int task) =>
        Enumerable.Range(0, 3).Select(b => Blob($"{scatter}-{task}-a1/bucket-{b}.parquet")).ToArray();
}
