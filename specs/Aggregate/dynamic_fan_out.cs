using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// <see cref="Sample.DynamicGraph"/>: two "list" tasks report metadata 'partitions'; "fan" runs as many tasks as they
/// report in total, each over every list output; "merge" reads the fan's outputs with the lists beside them.
/// </summary>
public sealed class dynamic_fan_out : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => DynamicGraph();

    [Fact]
    public void the_fan_out_step_gets_as_many_tasks_as_the_list_tasks_reported_in_total()
    {
        Given([.. ListRunning(), Confirmed("list", 0, metadata: Partitions("2"))]);
        When(Confirm("list", 1, metadata: Partitions("3")));
        Expect([Confirmed("list", 1, metadata: Partitions("3")), StepCompleted("list", 2), StepStarted("fan", 5),
            .. Enumerable.Range(0, 5).Select(p => Scheduled("fan", p, ListOutputs()))]);
    }

    [Fact]
    public void a_fan_out_of_zero_completes_the_step_at_once_and_starts_the_merge_once()
    {
        Given([.. ListRunning(), Confirmed("list", 0, metadata: Partitions("0"))]);
        When(Confirm("list", 1, metadata: Partitions("0")));
        Expect(Confirmed("list", 1, metadata: Partitions("0")), StepCompleted("list", 2),
            StepStarted("fan", 0), StepCompleted("fan", 0),
            StepStarted("merge", 1), Scheduled("merge", 0, Inputs("lists", Output("list", 0), Output("list", 1))));
    }

    [Fact]
    public void an_empty_dataset_cascades_through_the_empty_fan_out_to_the_merge_which_starts_once()
    {
        Using(data: SalesData(partitions: 0));
        When(Start());
        Expect(Started(), StepStarted("list", 0), StepCompleted("list", 0), StepStarted("fan", 0), StepCompleted("fan", 0),
            StepStarted("merge", 1), Scheduled("merge", 0, []));
    }

    [Fact]
    public void a_list_task_without_the_metadata_fails_the_fan_out_step_and_the_process_saying_what_is_missing()
    {
        Given([.. ListRunning(), Confirmed("list", 0, metadata: Partitions("2"))]);
        When(Confirm("list", 1, metadata: Meta("rows", "120")));
        Expect([Confirmed("list", 1, metadata: Meta("rows", "120")), StepCompleted("list", 2),
            .. StepAndProcessFailed("fan", "it needs metadata 'partitions' from every task of 'list', but task p-1/list/1 reported none (it reported: rows)")]);
    }

    [Fact]
    public void a_count_that_is_not_a_number_fails_the_fan_out_step_and_the_process()
    {
        Given([.. ListRunning(), Confirmed("list", 0, metadata: Partitions("2"))]);
        When(Confirm("list", 1, metadata: Partitions("many")));
        Expect([Confirmed("list", 1, metadata: Partitions("many")), StepCompleted("list", 2),
            .. StepAndProcessFailed("fan", "metadata 'partitions' of task p-1/list/1 is 'many', not a whole number")]);
    }

    [Fact]
    public void a_negative_count_fails_the_fan_out_step_and_the_process()
    {
        Given([.. ListRunning(), Confirmed("list", 0, metadata: Partitions("-1"))]);
        When(Confirm("list", 1, metadata: Partitions("4")));
        Expect([Confirmed("list", 1, metadata: Partitions("4")), StepCompleted("list", 2),
            .. StepAndProcessFailed("fan", "metadata 'partitions' of task p-1/list/0 is '-1', not a whole number")]);
    }

    [Fact]
    public void the_merge_reads_every_fan_output_with_the_lists_beside_them()
    {
        Given([.. ListRunning(), Confirmed("list", 0, metadata: Partitions("1")), Confirmed("list", 1, metadata: Partitions("1")),
            StepCompleted("list", 2), StepStarted("fan", 2), Scheduled("fan", 0, ListOutputs()), Scheduled("fan", 1, ListOutputs()), Confirmed("fan", 1)]);
        When(Confirm("fan", 0));
        Expect(Confirmed("fan", 0), StepCompleted("fan", 2), StepStarted("merge", 1), Scheduled("merge", 0,
            [.. Inputs("input", Output("fan", 0), Output("fan", 1)), .. Inputs("lists", Output("list", 0), Output("list", 1))]));
    }

    private IProcessEvent[] ListRunning() =>
    [
        Started(), StepStarted("list", 2),
        Scheduled("list", 0, Inputs("input", Data["sales"][0])), Scheduled("list", 1, Inputs("input", Data["sales"][1])),
    ];

    private static IReadOnlyList<TaskInput> ListOutputs() => Inputs("input", Output("list", 0), Output("list", 1));

    private static IReadOnlyDictionary<string, string> Partitions(string count) => Meta("partitions", count);
}
