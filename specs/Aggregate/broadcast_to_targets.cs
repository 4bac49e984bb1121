using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary><see cref="Sample.BroadcastGraph"/>: one cache-warming task per zone, each over the stores table.</summary>
public sealed class broadcast_to_targets : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => BroadcastGraph();

    [Fact]
    public void starting_schedules_one_task_per_target_with_the_target_set()
    {
        When(Start());
        Expect(Started(), StepStarted("warm", 2),
            Scheduled("warm", 0, Inputs("input", Data["stores"]), target: "zone-a"),
            Scheduled("warm", 1, Inputs("input", Data["stores"]), target: "zone-b"));
    }

    [Fact]
    public void a_retried_broadcast_task_is_sent_to_the_same_target()
    {
        Given(Started(), StepStarted("warm", 2),
            Scheduled("warm", 0, Inputs("input", Data["stores"]), target: "zone-a"),
            Scheduled("warm", 1, Inputs("input", Data["stores"]), target: "zone-b"));
        When(Fail("warm", 1, "zone-b is unreachable", retryable: true));
        Expect(AttemptFailed("warm", 1, "zone-b is unreachable", retryable: true),
            RetryScheduled("warm", 1, 2, TimeSpan.FromSeconds(2), "zone-b is unreachable", Epoch),
            Rescheduled("warm", 1, 2, Inputs("input", Data["stores"]), Epoch, TimeSpan.FromSeconds(2), target: "zone-b"));
    }
}
