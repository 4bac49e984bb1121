using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// Steps placed by label (<c>On("region=EU", Target.All)</c>): the aggregate cannot know who is live, so such a step
/// awaits workers, and the orchestrator places it with the live workers it knows; the choice is recorded in the events.
/// </summary>
public sealed class place_step : SalesSpec
{
    private static readonly BlobRef LocalSales = LocalInput.Reference("sales", "*.csv");
    private static readonly LabeledWorker Paris = Store("paris-1", "EU", "FR");
    private static readonly LabeledWorker Berlin = Store("berlin-1", "EU", "DE");
    private static readonly LabeledWorker Toronto = Store("toronto-1", "NorthAmerica", "CA");

    private static LabeledWorker Store(string name, string region, string country) =>
        new(WorkerId.From(name), new Dictionary<string, string> { ["region"] = region, ["country"] = country, ["store"] = name });

    private static ProcessGraph StoresGraph(string selector, Target target, TimeSpan? wait = null) => ProcessGraph.Define("store-sums", 1)
        .Map("partials", DataSource.Local("sales", "*.csv"), StepWork.Sql("SELECT sum(amount) AS revenue FROM input"),
            s => s.On(selector, target, wait).Timeout(TimeSpan.FromMinutes(1)))
        .Reduce("total", DataSource.Step("partials"), StepWork.Sql("SELECT sum(revenue) FROM partials"), s => s.As("partials").Timeout(TimeSpan.FromMinutes(1)))
        .Build();

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> NoData = new Dictionary<string, IReadOnlyList<BlobRef>>();

    private StepAwaitingWorkers Awaiting(string selector, Target target, DateTimeOffset? at = null) => new(Process, "partials", selector, target, at ?? Epoch);

    private static PlaceStep Place(params LabeledWorker[] live) => new(Process, "partials", live);

    private TaskScheduled For(int partition, LabeledWorker worker, DateTimeOffset? at = null) =>
        Scheduled("partials", partition, Inputs("input", LocalSales), at, target: worker.Id.Value);

    [Fact]
    public void a_step_placed_by_label_awaits_workers_when_the_process_starts()
    {
        Using(StoresGraph("region=EU", Target.All), NoData);
        When(Start());
        Expect(Started(), Awaiting("region=EU", Target.All));
    }

    [Fact]
    public void placing_on_all_schedules_one_task_per_matching_worker_in_id_order_each_recorded_as_its_target()
    {
        Using(StoresGraph("region=EU", Target.All), NoData);
        Given(Started(), Awaiting("region=EU", Target.All));
        When(Place(Toronto, Paris, Berlin));
        Expect(StepStarted("partials", 2), For(0, Berlin), For(1, Paris));
    }

    [Fact]
    public void placing_on_any_schedules_the_planned_tasks_without_a_target()
    {
        Using(StoresGraph("country in (FR,DE)", Target.Any), NoData);
        Given(Started(), Awaiting("country in (FR,DE)", Target.Any));
        When(Place(Toronto, Paris, Berlin));
        Expect(StepStarted("partials", 1), Scheduled("partials", 0, Inputs("input", LocalSales)));
    }

    [Fact]
    public void placing_a_sql_step_on_any_worker_with_one_label_records_that_labels_queue_as_each_attempts_route()
    {
        Using(StoresGraph("region=EU", Target.Any), NoData);
        Given(Started(), Awaiting("region=EU", Target.Any));
        When(Place(Paris, Berlin));
        Expect(StepStarted("partials", 1),
            new TaskScheduled(Process, Task("partials", 0), 1, "partials", 0, Inputs("input", LocalSales), null, Epoch, Epoch.AddHours(1), TaskRoute.ToLabel("region", "EU")));
    }

    [Fact]
    public void a_selector_that_matches_no_live_worker_fails_the_step_listing_the_live_workers_and_their_labels()
    {
        Using(StoresGraph("country=US", Target.All), NoData);
        Given(Started(), Awaiting("country=US", Target.All));
        When(Place(Toronto, Paris));
        Expect(StepAndProcessFailed("partials",
            "no live worker matches country=US; the live workers are paris-1 (country=FR, region=EU, store=paris-1), toronto-1 (country=CA, region=NorthAmerica, store=toronto-1)"));
    }

    [Fact]
    public void with_no_live_workers_at_all_the_step_fails_saying_so()
    {
        Using(StoresGraph("region=EU", Target.Any), NoData);
        Given(Started(), Awaiting("region=EU", Target.Any));
        When(Place());
        Expect(StepAndProcessFailed("partials", "no live worker matches region=EU; there are no live workers"));
    }

    [Fact]
    public void a_step_that_may_wait_for_workers_is_not_failed_before_its_wait_is_over()
    {
        Using(StoresGraph("country=US", Target.All, TimeSpan.FromMinutes(2)), NoData);
        Given(Started(), Awaiting("country=US", Target.All));
        Clock.Advance(TimeSpan.FromSeconds(90));
        When(Place(Paris));
        ExpectDropped(DropKind.NoMatchingWorkerYet);
    }

    [Fact]
    public void a_step_that_waited_its_time_for_workers_fails_saying_how_long_it_waited()
    {
        Using(StoresGraph("country=US", Target.All, TimeSpan.FromMinutes(2)), NoData);
        Given(Started(), Awaiting("country=US", Target.All));
        Clock.Advance(TimeSpan.FromMinutes(2));
        When(Place(Paris));
        Expect(StepAndProcessFailed("partials",
            "no live worker matches country=US after waiting 2 min; the live workers are paris-1 (country=FR, region=EU, store=paris-1)", at: Now));
    }

    [Fact]
    public void a_worker_that_joins_while_the_step_waits_gets_its_task()
    {
        Using(StoresGraph("country=CA", Target.All, TimeSpan.FromMinutes(2)), NoData);
        Given(Started(), Awaiting("country=CA", Target.All));
        Clock.Advance(TimeSpan.FromSeconds(30));
        When(Place(Paris, Toronto));
        Expect(StepStarted("partials", 1, at: Now), For(0, Toronto, at: Now));
    }

    [Fact]
    public void a_step_already_placed_is_not_placed_again()
    {
        Using(StoresGraph("region=EU", Target.All), NoData);
        Given(Started(), Awaiting("region=EU", Target.All), StepStarted("partials", 1), For(0, Paris));
        When(Place(Paris, Berlin));
        ExpectDropped(DropKind.StepNotAwaitingWorkers);
    }

    [Fact]
    public void the_workers_recorded_when_the_step_started_decide_its_end_not_those_live_later()
    {
        Using(StoresGraph("region=EU", Target.All), NoData);
        Given(Started(), Awaiting("region=EU", Target.All), StepStarted("partials", 2), For(0, Berlin), For(1, Paris), Confirmed("partials", 0, worker: Berlin.Id));
        When(Confirm("partials", 1, worker: Paris.Id));
        Expect(Confirmed("partials", 1, worker: Paris.Id), StepCompleted("partials", 2), StepStarted("total", 1),
            Scheduled("total", 0, [new("partials", Output("partials", 0)), new("partials", Output("partials", 1))]));
    }

    [Fact]
    public void a_retried_task_of_a_step_placed_on_all_stays_with_its_worker()
    {
        Using(StoresGraph("region=EU", Target.All), NoData);
        Given(Started(), Awaiting("region=EU", Target.All), StepStarted("partials", 2), For(0, Berlin), For(1, Paris));
        When(Fail("partials", 1, "disk busy", retryable: true));
        Expect(AttemptFailed("partials", 1, "disk busy", retryable: true),
            RetryScheduled("partials", 1, 2, TimeSpan.FromSeconds(1), "disk busy", Epoch),
            Rescheduled("partials", 1, 2, Inputs("input", LocalSales), Epoch, TimeSpan.FromSeconds(1), target: Paris.Id.Value));
    }

    [Fact]
    public void a_task_for_one_worker_waits_only_its_task_timeout_for_that_worker_to_start_it()
    {
        Using(StoresGraph("region=EU", Target.All), NoData);
        Given(Started(), Awaiting("region=EU", Target.All));
        When(Place(Paris));
        Expect(StepStarted("partials", 1),
            new TaskScheduled(Process, Task("partials", 0), 1, "partials", 0, Inputs("input", LocalSales), Paris.Id.Value, Epoch, Epoch.AddMinutes(1), TaskRoute.ToWorker(Paris.Id)));
    }

    [Fact]
    public void a_task_its_worker_never_started_is_retried_for_that_worker_with_a_reason_that_names_it()
    {
        Using(StoresGraph("region=EU", Target.All), NoData);
        Given(Started(), Awaiting("region=EU", Target.All), StepStarted("partials", 2), For(0, Berlin), For(1, Paris));
        Clock.Advance(TimeSpan.FromMinutes(1));
        When(TryTimeout("partials", 1));
        Expect(TimedOut("partials", 1, 1, deadline: Now, at: Now),
            RetryScheduled("partials", 1, 2, TimeSpan.FromSeconds(1), "worker paris-1 did not start it within 60 s (is it running?)", Now),
            new TaskScheduled(Process, Task("partials", 1), 2, "partials", 1, Inputs("input", LocalSales), Paris.Id.Value, Now.AddSeconds(1), Now.AddSeconds(61), TaskRoute.ToWorker(Paris.Id)));
    }

    [Fact]
    public void a_step_placed_by_label_that_becomes_ready_later_awaits_workers_then()
    {
        Using(ProcessGraph.Define("sales-then-stores", 1)
            .Reduce("total", DataSource.Dataset("sales"), StepWork.Sql("SELECT sum(amount) FROM input"))
            .Reduce("publish", DataSource.Step("total"), StepWork.Code("publish"), s => s.On("store=paris-1", Target.All))
            .Build());
        Given(Started(), StepStarted("total", 1), Scheduled("total", 0, Inputs("input", Data["sales"])));
        When(Confirm("total", 0));
        Expect(Confirmed("total", 0), StepCompleted("total", 1), new StepAwaitingWorkers(Process, "publish", "store=paris-1", Target.All, Epoch));
    }
}
