using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// <see cref="Sample.NetSalesGraph"/>: "partials" (over sales) and "returns" (over returns) depend on nothing;
/// "net" reads both. The diamond specs use <see cref="Sample.DiamondGraph"/>.
/// </summary>
public sealed class parallel_steps : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => NetSalesGraph();
    protected override IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> DefaultData() => NetSalesData();

    [Fact]
    public void steps_that_depend_on_nothing_start_together_when_the_process_starts()
    {
        When(Start());
        Expect(Started(),
            StepStarted("partials", 2), Scheduled("partials", 0, Inputs("input", Data["sales"][0])), Scheduled("partials", 1, Inputs("input", Data["sales"][1])),
            StepStarted("returns", 1), Scheduled("returns", 0, Inputs("input", Data["returns"][0])));
    }

    [Fact]
    public void a_step_that_reads_two_steps_waits_while_the_second_still_runs()
    {
        Given([.. NetRunning(), Confirmed("partials", 0)]);
        When(Confirm("partials", 1));
        Expect(Confirmed("partials", 1), StepCompleted("partials", 2));
    }

    [Fact]
    public void a_step_that_reads_two_steps_starts_when_the_second_completes_with_the_outputs_of_both()
    {
        Given([.. NetRunning(), Confirmed("partials", 0), Confirmed("partials", 1), StepCompleted("partials", 2)]);
        When(Confirm("returns", 0));
        Expect(Confirmed("returns", 0), StepCompleted("returns", 1), StepStarted("net", 1), Scheduled("net", 0,
            [.. Inputs("partials", Output("partials", 0), Output("partials", 1)), .. Inputs("returns", Output("returns", 0))]));
    }

    [Fact]
    public void completing_the_top_of_a_diamond_starts_both_branches_together()
    {
        Using(DiamondGraph(), SalesData());
        Given(Started(), StepStarted("extract", 1), Scheduled("extract", 0, Inputs("input", Data["sales"])));
        When(Confirm("extract", 0));
        Expect(Confirmed("extract", 0), StepCompleted("extract", 1),
            StepStarted("by-store", 1), Scheduled("by-store", 0, Inputs("input", Output("extract", 0))),
            StepStarted("by-day", 1), Scheduled("by-day", 0, Inputs("input", Output("extract", 0))));
    }

    [Fact]
    public void the_bottom_of_a_diamond_starts_once_both_branches_completed()
    {
        Using(DiamondGraph(), SalesData());
        Given([.. DiamondBranchesRunning(), Confirmed("by-store", 0), StepCompleted("by-store", 1)]);
        When(Confirm("by-day", 0));
        Expect(Confirmed("by-day", 0), StepCompleted("by-day", 1), StepStarted("report", 1),
            Scheduled("report", 0, [new TaskInput("input", Output("by-store", 0)), new TaskInput("by-day", Output("by-day", 0))]));
    }

    private IProcessEvent[] NetRunning() =>
    [
        Started(),
        StepStarted("partials", 2), Scheduled("partials", 0, Inputs("input", Data["sales"][0])), Scheduled("partials", 1, Inputs("input", Data["sales"][1])),
        StepStarted("returns", 1), Scheduled("returns", 0, Inputs("input", Data["returns"][0])),
    ];

    private IProcessEvent[] DiamondBranchesRunning() =>
    [
        Started(), StepStarted("extract", 1), Scheduled("extract", 0, Inputs("input", Data["sales"])), Confirmed("extract", 0), StepCompleted("extract", 1),
        StepStarted("by-store", 1), Scheduled("by-store", 0, Inputs("input", Output("extract", 0))),
        StepStarted("by-day", 1), Scheduled("by-day", 0, Inputs("input", Output("extract", 0))),
    ];
}
