using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

public sealed class start_process : SalesSpec
{
    [Fact]
    public void starting_records_the_graph_and_schedules_every_map_task_in_one_batch_after_step_started()
    {
        When(Start());
        Expect(
            Started(),
            StepStarted("partials", 2),
            Scheduled("partials", 0, SalesInputs(0)),
            Scheduled("partials", 1, SalesInputs(1)));
    }

    [Fact]
    public void an_urgent_process_records_its_priority_with_its_start()
    {
        When(Start() with { Priority = 9 });
        Expect(
            Started() with { Priority = 9 },
            StepStarted("partials", 2),
            Scheduled("partials", 0, SalesInputs(0)),
            Scheduled("partials", 1, SalesInputs(1)));
    }

    [Fact]
    public void a_priority_out_of_range_is_refused()
    {
        When(Start() with { Priority = 10 });
        Expect("priority-out-of-range", saying: "Priority 10 is out of range: give 0 (normal, the default) to 9 (most urgent).");
    }

    [Fact]
    public void a_retried_process_keeps_its_priority()
    {
        Given([Started() with { Priority = 7 }, StepStarted("partials", 2), Scheduled("partials", 0, SalesInputs(0)), Scheduled("partials", 1, SalesInputs(1)), Cancelled()]);
        When(Retry());
        Expect(
            Retried(new Dictionary<string, int> { ["partials"] = 2 }, at: Now) with { Priority = 7 },
            Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.Zero),
            Rescheduled("partials", 1, 2, SalesInputs(1), Now, TimeSpan.Zero));
    }

    [Fact]
    public void task_ids_derive_from_the_process_the_step_and_the_partition()
    {
        Using(data: SalesData(partitions: 1));
        When(Start());
        Expect(
            Started(),
            StepStarted("partials", 1),
            new TaskScheduled(Process, TaskId.From("p-1/partials/0"), 1, "partials", 0, SalesInputs(0), null, Epoch, Epoch + TimeSpan.FromHours(1), TaskRoute.Shared));
    }

    [Fact]
    public void tasks_may_wait_one_queue_timeout_from_the_moment_the_process_starts()
    {
        Clock.Advance(TimeSpan.FromHours(3));
        When(Start());
        Expect(
            Started(at: Now),
            StepStarted("partials", 2, at: Now),
            new TaskScheduled(Process, Task("partials", 0), 1, "partials", 0, SalesInputs(0), null, Now, Now + TimeSpan.FromHours(1), TaskRoute.Shared),
            new TaskScheduled(Process, Task("partials", 1), 1, "partials", 1, SalesInputs(1), null, Now, Now + TimeSpan.FromHours(1), TaskRoute.Shared));
    }

    [Fact]
    public void a_map_over_an_empty_dataset_completes_at_once_and_starts_the_step_after_it()
    {
        Using(data: SalesData(partitions: 0));
        When(Start());
        Expect(
            Started(),
            StepStarted("partials", 0),
            StepCompleted("partials", 0),
            StepStarted("total", 1),
            Scheduled("total", 0, []));
    }

    [Fact]
    public void a_map_over_an_empty_dataset_that_is_the_last_step_completes_the_process_at_once()
    {
        Using(MapOnlyGraph(), SalesData(partitions: 0));
        When(Start());
        Expect(Started(), StepStarted("partials", 0), StepCompleted("partials", 0), ProcessCompleted([]));
    }

    [Fact]
    public void starting_a_process_that_already_started_is_refused()
    {
        Given(SalesRunning());
        When(Start());
        Expect("process-already-started");
    }

    [Fact]
    public void a_start_for_another_process_id_sent_to_this_process_is_refused()
    {
        Given(SalesRunning());
        When(new StartProcess(ProcessId.From("p-2"), Graph, Data, NoParameters));
        Expect("wrong-process");
    }

    [Fact]
    public void a_graph_with_a_cycle_is_refused_with_every_problem_named()
    {
        var cyclic = Graph with { Steps = [Graph.Step("partials") with { After = ["total"] }, Graph.Step("total")] };
        When(new StartProcess(Process, cyclic, Data, NoParameters));
        Expect("graph-invalid", saying: "steps form a cycle: partials -> total -> partials");
    }

    [Fact]
    public void a_dataset_the_graph_reads_but_the_start_does_not_give_is_refused()
    {
        var salesOnly = new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = Data["sales"] };
        When(new StartProcess(Process, Graph, salesOnly, NoParameters));
        Expect("dataset-missing", saying: "reads 'stores' but the process was given only: 'sales'");
    }

    [Fact]
    public void the_parameters_of_the_start_are_recorded_with_the_process()
    {
        var day = Meta("day", "2026-01-01");
        Using(data: SalesData(partitions: 0));
        When(new StartProcess(Process, Graph, Data, day));
        Expect(new ProcessStarted(Process, Graph, Data, day, Epoch),
            StepStarted("partials", 0), StepCompleted("partials", 0), StepStarted("total", 1), Scheduled("total", 0, []));
    }
}
