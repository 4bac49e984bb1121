using FluentAssertions;
using Orchestration.Operations.Scaling;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>
/// The autoscaler's decision as tables: a policy, then a sequence of readings <c>second:ready→workers</c>, each the
/// ready depth read at that second and the worker count the policy must then ask for.
/// </summary>
public sealed class Scaling_policy
{
    [Theory]
    [InlineData("an empty queue keeps the minimum", 1, 8, 50, 30, "0:0→1  10:0→1  100:0→1")]
    [InlineData("the minimum holds even when it is more than the work", 2, 8, 50, 30, "0:0→2  1:1→2  2:100→2")]
    [InlineData("a minimum of zero scales to zero and back", 0, 8, 50, 30, "0:0→0  1:1→1  2:0→1  32:0→0")]
    [InlineData("workers are ready / per-worker rounded up", 1, 8, 50, 0, "0:1→1  1:50→1  2:51→2  3:100→2  4:101→3  5:399→8  6:400→8")]
    [InlineData("however deep the queue, no more than the maximum", 1, 3, 10, 30, "0:10000→3  1:1000000→3")]
    [InlineData("a burst scales up at once, in one step", 1, 8, 50, 30, "0:0→1  1:300→6  2:500→8")]
    [InlineData("scaling down waits a whole cool-down after the queue empties", 1, 8, 50, 30, "0:400→8  5:0→8  34:0→8  35:0→1  36:0→1")]
    [InlineData("scaling down goes only to the most any reading of the cool-down wanted", 1, 8, 50, 30, "0:400→8  10:100→8  20:0→8  40:0→2  41:0→2  71:0→1")]
    [InlineData("one reading at the current count starts the cool-down again", 1, 8, 50, 30, "0:400→8  10:0→8  30:400→8  50:0→8  79:0→8  80:0→1")]
    [InlineData("a queue hovering around a boundary does not flap", 1, 8, 50, 30, "0:101→3  10:99→3  20:101→3  30:99→3  40:101→3  50:99→3  60:99→3  80:99→2")]
    [InlineData("growing again while cooling down scales up at once", 1, 8, 50, 30, "0:200→4  10:0→4  20:350→7  21:0→7  51:0→1")]
    [InlineData("without a cool-down the pool follows every reading", 1, 8, 50, 0, "0:400→8  1:0→1  2:120→3  3:60→2")]
    public void Readings_over_time_give_the_worker_counts_of_the_table(string scenario, int min, int max, int perWorker, int coolDownSeconds, string table)
    {
        var policy = new ScalingPolicy(min, max, perWorker, TimeSpan.FromSeconds(coolDownSeconds));
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var state = policy.Start();
        var was = new List<string>();

        foreach (var (second, ready, _) in Rows(table))
        {
            var decision = policy.Decide(state, new QueueObservation(ready, 0, state.Workers), start.AddSeconds(second));
            state = decision.Next;
            decision.Desired.Should().Be(state.Workers, "the decision and the state it hands on agree");
            was.Add($"{second}:{ready}→{decision.Desired}");
        }

        string.Join("  ", was).Should().Be(table, scenario);
    }

    [Fact]
    public void A_decision_says_why_in_words_an_operator_can_follow()
    {
        var policy = new ScalingPolicy(1, 3, 10, TimeSpan.FromSeconds(30));
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var up = policy.Decide(policy.Start(), new QueueObservation(95, 1, 1), at);
        var cooling = policy.Decide(up.Next, new QueueObservation(0, 3, 3), at.AddSeconds(5));
        var down = policy.Decide(cooling.Next, new QueueObservation(0, 0, 3), at.AddSeconds(35));

        up.Reason.Should().Be("scale up: 95 ready / 10 per worker = 10, capped at max 3");
        cooling.Reason.Should().Be("cooling down: 1 wanted, at most 1 for 0 s of 30 s");
        down.Reason.Should().Be("scale down: at most 1 wanted for 30 s (cool-down 30 s)");
        (up.Current, up.Desired, cooling.Desired, down.Desired).Should().Be((1, 3, 3, 1));
    }

    [Fact]
    public void Impossible_bounds_are_all_named_at_once()
    {
        new ScalingPolicy(-1, 0, 0, TimeSpan.FromSeconds(-5)).Problems().Should().Equal(
            "--min must be 0 or more, not -1.",
            "--max must be 1 or more, not 0.",
            "--per-worker must be 1 or more, not 0.",
            "--cool-down-seconds must be 0 or more, not -5.");
        new ScalingPolicy(4, 2, 50, TimeSpan.Zero).Problems().Should().Equal("--max (2) must not be below --min (4).");
        new ScalingPolicy(1, 8, 50, TimeSpan.FromSeconds(60)).Problems().Should().BeEmpty();
    }

    private static IEnumerable<(int Second, long Ready, int Workers)> Rows(string table) =>
        table.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(cell =>
        {
            var parts = cell.Split(':', '→');
            return (int.Parse(parts[0]), long.Parse(parts[1]), int.Parse(parts[2]));
        });
}
