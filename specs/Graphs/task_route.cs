using Orchestration.Contracts;
using Orchestration.Graphs;
using Xunit;

namespace Orchestration.Specs.Graphs;

/// <summary>Where a step's tasks go is decided in one place, from the step's placement and the worker recorded for a task.</summary>
public sealed class task_route
{
    private static StepDefinition Step(StepWork work, Action<StepOptions>? configure = null) =>
        ProcessGraph.Define("routes", 1).Map("map", DataSource.Dataset("in"), work, configure).Build().Step("map");

    [Fact]
    public void a_sql_task_placed_nowhere_goes_to_the_shared_queue_and_a_csharp_one_to_its_steps() =>
        Assert.Equal([TaskRoute.Shared, TaskRoute.Step], [Step(StepWork.Sql("SELECT 1")).RouteFor(null), Step(StepWork.Code("score")).RouteFor(null)]);

    [Fact]
    public void a_task_of_a_step_placed_on_all_matching_workers_goes_to_its_recorded_worker() =>
        Assert.Equal(TaskRoute.ToWorker(WorkerId.From("w-paris")), Step(StepWork.Sql("SELECT 1"), s => s.On("region=EU", Target.All)).RouteFor("w-paris"));

    [Fact]
    public void a_sql_task_for_any_worker_with_one_label_goes_to_that_labels_queue_as_key_and_value() =>
        Assert.Equal(TaskRoute.ToLabel("region", "EU"), Step(StepWork.Sql("SELECT 1"), s => s.On("region=EU", Target.Any)).RouteFor(null));

    [Fact]
    public void a_csharp_task_for_a_label_and_any_task_for_a_wider_selector_wait_for_the_dispatcher_to_pick_a_worker() =>
        Assert.Equal([TaskRoute.AnyMatching, TaskRoute.AnyMatching],
            [Step(StepWork.Code("score"), s => s.On("region=EU", Target.Any)).RouteFor(null), Step(StepWork.Sql("SELECT 1"), s => s.On("region=EU,tier=fast", Target.Any)).RouteFor(null)]);
}
