using Orchestration.Graphs;
using Xunit;

namespace Orchestration.Specs.Graphs;

public sealed class retry_policy
{
    [Fact]
    public void the_first_attempt_waits_for_nothing_and_each_retry_doubles_the_wait_up_to_the_max_delay()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        Assert.Equal([0, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(a => policy.BackoffBefore(a).TotalSeconds));
    }

    [Fact]
    public void a_very_late_attempt_waits_the_max_delay_without_overflowing()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), RetryPolicy.Default.BackoffBefore(1_000));
        Assert.Equal(TimeSpan.FromMinutes(1), RetryPolicy.Default.BackoffBefore(int.MaxValue));
    }

    [Fact]
    public void the_default_allows_3_attempts_of_5_minutes_with_1_second_of_backoff_doubling_up_to_a_minute()
    {
        Assert.Equal(new RetryPolicy(3, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)), RetryPolicy.Default);
    }
}
