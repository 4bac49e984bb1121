using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A C# step has a version, and a process keeps the one it started with: placed on labeled workers, its tasks go only
/// to those that announce that step at that version; in a queue no worker with it takes, the timeout says which.
/// </summary>
public sealed class place_versioned_step : SalesSpec
{
    private static readonly BlobRef LocalSales = LocalInput.Reference("sales", "*.csv");

    private static LabeledWorker Node(string name, params string[] steps) =>
        new(WorkerId.From(name), new Dictionary<string, string> { ["region"] = "EU" }, steps);

    private static ProcessGraph PublishGraph(int version) => ProcessGraph.Define("publish", 1)
        .Map("partials", DataSource.Local("sales", "*.csv"), StepWork.Code("publish-sales", version),
            s => s.On("region=EU", Target.All).Timeout(TimeSpan.FromMinutes(1)))
        .Build();

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> NoData = new Dictionary<string, IReadOnlyList<BlobRef>>();

    [Fact]
    public void a_step_is_placed_only_on_the_matching_workers_that_have_its_version()
    {
        Using(PublishGraph(version: 2), NoData);
        Given(Started(), new StepAwaitingWorkers(Process, "partials", "region=EU", Target.All, Epoch));
        When(new PlaceStep(Process, "partials", [Node("n1", "publish-sales@1"), Node("n2", "publish-sales@2"), Node("n3", "publish-sales@1", "publish-sales@2")]));
        Expect(StepStarted("partials", 2),
            Scheduled("partials", 0, Inputs("input", LocalSales), target: "n2"), Scheduled("partials", 1, Inputs("input", LocalSales), target: "n3"));
    }

    [Fact]
    public void no_matching_worker_with_the_version_fails_the_step_naming_the_version_and_what_each_worker_has()
    {
        Using(PublishGraph(version: 2), NoData);
        Given(Started(), new StepAwaitingWorkers(Process, "partials", "region=EU", Target.All, Epoch));
        When(new PlaceStep(Process, "partials", [Node("n1", "publish-sales@1"), Node("n2")]));
        Expect(StepAndProcessFailed("partials",
            "no live worker matches region=EU and has C# step 'publish-sales' v2; the live workers are n1 (region=EU; publish-sales@1), n2 (region=EU; no 'publish-sales')"));
    }

    [Fact]
    public void a_task_of_a_step_version_no_worker_took_times_out_naming_the_step_and_version()
    {
        var graph = ProcessGraph.Define("scores", 1)
            .Map("partials", DataSource.Dataset("sales"), StepWork.Code("score-customers", 3), s => s.Retry(1).QueueTimeout(TimeSpan.FromMinutes(5)))
            .Build();
        Using(graph);
        Given(Started(), StepStarted("partials", 2), Scheduled("partials", 0, Inputs("input", Data["sales"][0])), Scheduled("partials", 1, Inputs("input", Data["sales"][1])));
        Clock.Advance(TimeSpan.FromMinutes(5));
        When(TryTimeout("partials", 0));
        Expect([TimedOut("partials", 0, 1, Epoch + TimeSpan.FromMinutes(5), Now),
            .. StepAndProcessFailed("partials", "task p-1/partials/0 waited 5 min in its queue and no worker with C# step 'score-customers' v3 started it " +
                "(start a worker whose program registers 'score-customers' at version 3; the step's QueueTimeout allows longer) (attempt 1 of 1, no retries left)", Now)]);
    }
}
