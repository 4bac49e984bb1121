using Acme.Pipelines.Graphs;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Testing.SpecDefaults;

namespace Acme.Pipelines.Specs;

/// <summary>How the customer-tiers process moves from the SQL map to the C# scoring step and on to the tiers.</summary>
public sealed class scoring_customers : GraphSpec
{
    protected override ProcessGraph DefaultGraph() => CustomerTiers.Graph;
    protected override IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> DefaultData() =>
        new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = Partitions("sales", 2) };

    [Fact]
    public void starting_schedules_one_spend_task_per_sales_partition()
    {
        When(Start());
        Expect(Started(), StepStarted("spend", 2),
            Scheduled("spend", 0, Inputs("input", Data["sales"][0])), Scheduled("spend", 1, Inputs("input", Data["sales"][1])));
    }

    [Fact]
    public void the_last_spend_task_starts_the_totals_over_every_partial()
    {
        Given([.. Begun(), Confirmed("spend", 0)]);
        When(Confirm("spend", 1));
        Expect(Confirmed("spend", 1), StepCompleted("spend", 2), StepStarted("totals", 1),
            Scheduled("totals", 0, Inputs("partials", Output("spend", 0), Output("spend", 1))));
    }

    [Fact]
    public void the_totals_go_to_the_csharp_scoring_step()
    {
        Given([.. Begun(), Confirmed("spend", 0), Confirmed("spend", 1), StepCompleted("spend", 2), StepStarted("totals", 1),
            Scheduled("totals", 0, Inputs("partials", Output("spend", 0), Output("spend", 1)))]);
        When(Confirm("totals", 0));
        Expect(Confirmed("totals", 0), StepCompleted("totals", 1), StepStarted("scores", 1), Scheduled("scores", 0, Inputs("input", Output("totals", 0))));
    }

    [Fact]
    public void a_scoring_task_failing_for_good_fails_the_process_with_its_reason()
    {
        Given([.. Begun(), Confirmed("spend", 0), Confirmed("spend", 1), StepCompleted("spend", 2), StepStarted("totals", 1),
            Scheduled("totals", 0, Inputs("partials", Output("spend", 0), Output("spend", 1))), Confirmed("totals", 0),
            StepCompleted("totals", 1), StepStarted("scores", 1), Scheduled("scores", 0, Inputs("input", Output("totals", 0)))]);
        When(Fail("scores", 0, "spent is not a number", retryable: false));
        Expect([AttemptFailed("scores", 0, "spent is not a number", retryable: false),
            .. StepAndProcessFailed("scores", $"task {Task("scores", 0)} failed and cannot be retried: spent is not a number")]);
    }
}
