using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>A view added with <c>With(...)</c> is given in full to every task of the step, beside its own blobs.</summary>
public sealed class side_inputs : SalesSpec
{
    [Fact]
    public void every_map_task_sees_the_whole_stores_dataset_beside_its_own_partition()
    {
        Using(data: SalesData(partitions: 3));
        When(Start());
        Expect([Started(), StepStarted("partials", 3), .. Enumerable.Range(0, 3).Select(p => Scheduled("partials", p,
            [new TaskInput("input", Data["sales"][p]), new TaskInput("stores", Data["stores"][0])]))]);
    }

    [Fact]
    public void every_map_task_sees_the_outputs_of_the_earlier_step_it_reads_as_a_side_input()
    {
        Using(SideInputGraph());
        Given(Started(), StepStarted("dims", 1), Scheduled("dims", 0, Inputs("input", Data["stores"])));
        When(Confirm("dims", 0));
        Expect([Confirmed("dims", 0), StepCompleted("dims", 1), StepStarted("partials", 2), .. Enumerable.Range(0, 2).Select(p =>
            Scheduled("partials", p, [new TaskInput("input", Data["sales"][p]), new TaskInput("dims", Output("dims", 0))]))]);
    }

    [Fact]
    public void a_retried_task_keeps_its_side_inputs()
    {
        Given(SalesRunning());
        When(Fail("partials", 1, "connection reset", retryable: true));
        Expect(AttemptFailed("partials", 1, "connection reset", retryable: true),
            RetryScheduled("partials", 1, 2, TimeSpan.FromSeconds(2), "connection reset", Epoch),
            Rescheduled("partials", 1, 2, [new TaskInput("input", Data["sales"][1]), new TaskInput("stores", Data["stores"][0])], Epoch, TimeSpan.FromSeconds(2)));
    }
}
