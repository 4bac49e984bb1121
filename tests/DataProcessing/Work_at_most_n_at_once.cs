using FluentAssertions;
using Orchestration.DataProcessing.Concurrency;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

/// <summary>How a task's fetches and a cache's checks run: bounded, in place when they need not wait, stopped by a failure.</summary>
public sealed class Work_at_most_n_at_once
{
    [Fact]
    public async Task Work_that_does_not_wait_runs_on_the_callers_thread_in_order()
    {
        var thread = Environment.CurrentManagedThreadId;
        var seen = new List<(int Item, int Thread)>();

        await Bounded.ForEachAsync(4, Enumerable.Range(0, 50), CancellationToken.None, (item, _) =>
        {
            seen.Add((item, Environment.CurrentManagedThreadId));
            return ValueTask.CompletedTask;
        });

        seen.Select(s => s.Item).Should().Equal(Enumerable.Range(0, 50));
        seen.Should().OnlyContain(s => s.Thread == thread, "a body that completes at once needs no other thread");
    }

    [Fact]
    public async Task No_more_than_n_bodies_wait_at_once_and_all_of_them_run()
    {
        var (running, most, done) = (0, 0, 0);
        await Bounded.ForEachAsync(3, Enumerable.Range(0, 30), CancellationToken.None, async (_, token) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (this) most = Math.Max(most, now);
            await Task.Yield();
            await Task.Delay(1, token);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref done);
        });

        done.Should().Be(30);
        most.Should().BeInRange(2, 3);
    }

    [Fact]
    public async Task A_failure_is_thrown_and_stops_the_items_not_yet_started()
    {
        var started = 0;
        var run = () => Bounded.ForEachAsync(2, Enumerable.Range(0, 1_000), CancellationToken.None, async (item, token) =>
        {
            Interlocked.Increment(ref started);
            await Task.Yield();
            if (item == 3) throw new InvalidOperationException("blob 3 is damaged");
            await Task.Delay(TimeSpan.FromMilliseconds(5), token);
        });

        await run.Should().ThrowAsync<InvalidOperationException>().WithMessage("blob 3 is damaged");
        started.Should().BeLessThan(1_000, "a failure cancels what has not started");
    }

    [Fact]
    public async Task A_cancelled_caller_learns_it_was_cancelled()
    {
        using var stop = new CancellationTokenSource();
        var run = () => Bounded.ForEachAsync(2, Enumerable.Range(0, 1_000), stop.Token, async (item, token) =>
        {
            if (item == 5) await stop.CancelAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(1), token);
        });

        await run.Should().ThrowAsync<OperationCanceledException>();
    }
}
