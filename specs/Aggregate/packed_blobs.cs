using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A map whose blobs are packed (<c>PackBlobsUpTo</c>) runs one task per run of consecutive blobs of at most that many
/// bytes, each with its side inputs; the sample blobs are 1,000 bytes each.
/// </summary>
public sealed class packed_blobs : SalesSpec
{
    private static ProcessGraph PackedGraph(long bytes) => ProcessGraph.Define("sales-packed", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT store, sum(amount) AS revenue FROM input GROUP BY store"),
            s => s.With("stores", DataSource.Dataset("stores")).PackBlobsUpTo(bytes))
        .Reduce("total", DataSource.Step("partials"), StepWork.Sql("SELECT store, sum(revenue) FROM partials GROUP BY store"), s => s.As("partials"))
        .Build();

    private static ProcessGraph PackedShuffle(long bytes) => ProcessGraph.Define("sales-by-store-packed", 1)
        .Shuffle("by-store", DataSource.Dataset("sales"), "store", 3, StepWork.Sql("SELECT store, sum(amount) FROM input GROUP BY store"), s => s.PackBlobsUpTo(bytes))
        .Build();

    private TaskInput[] Run(params int[] partitions) =>
        [.. partitions.Select(p => new TaskInput("input", Data["sales"][p])), new TaskInput("stores", Data["stores"][0])];

    [Fact]
    public void five_blobs_packed_up_to_2500_bytes_are_three_tasks_of_two_two_and_one_in_order()
    {
        Using(PackedGraph(2_500), SalesData(partitions: 5));
        When(Start());
        Expect(Started(), StepStarted("partials", 3),
            Scheduled("partials", 0, Run(0, 1)), Scheduled("partials", 1, Run(2, 3)), Scheduled("partials", 2, Run(4)));
    }

    [Fact]
    public void a_blob_of_the_limit_or_more_or_of_unknown_size_is_a_task_of_its_own()
    {
        var sales = SalesData(partitions: 5)["sales"].ToArray();
        sales[1] = sales[1] with { Size = -1 };
        sales[3] = sales[3] with { Size = 3_000 };
        Using(PackedGraph(2_500), new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = sales, ["stores"] = SalesData()["stores"] });
        When(Start());
        Expect([Started(), StepStarted("partials", 5), .. Enumerable.Range(0, 5).Select(p => Scheduled("partials", p, Run(p)))]);
    }

    [Fact]
    public void a_shuffle_packs_the_blobs_of_its_scatter()
    {
        Using(PackedShuffle(2_000), SalesData(partitions: 3));
        When(Start());
        Expect(Started(), StepStarted("by-store.scatter", 2),
            Scheduled("by-store.scatter", 0, Inputs("input", Data["sales"][0], Data["sales"][1])),
            Scheduled("by-store.scatter", 1, Inputs("input", Data["sales"][2])));
    }
}
