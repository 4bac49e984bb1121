using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Asks the aggregate, about once every <c>every</c> (default a second), to review the stragglers of each running step
/// that speculates and is in its tail: enough of its tasks confirmed for its quantile, not all of them. It never decides
/// whether to copy: the aggregate knows the run times and starts, and records its choice.
/// </summary>
public sealed class Speculator(ProcessRuntime runtime, TimeProvider clock, TimeSpan? every = null) : IFollowerHandler
{
    private readonly TimeSpan _every = every ?? TimeSpan.FromSeconds(1);
    private DateTimeOffset _next;

    public Task StartAsync(RuntimeView view, CancellationToken cancellationToken)
    {
        _next = clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RuntimeView view, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _next) return;
        _next = now + _every;
        var reviews = Tails(view).Select(async t =>
        {
            try { await runtime.SendAsync(new ReviewStragglers(t.Process, t.Step)); }
            catch (Exception) { } // refused (a stream of another version) or the store is away: the next review is a second off
        });
        await Task.WhenAll(reviews);
    }

    public TimeSpan? NextDue(RuntimeView view) => Tails(view).Any() ? _next - clock.GetUtcNow() : null;

    private static IEnumerable<(ProcessId Process, string Step)> Tails(RuntimeView view) =>
        from process in view.RunningProcesses
        from step in process.Value.StepTasks
        let confirmed = process.Value.Confirmed.GetValueOrDefault(step.Key)
        let speculation = process.Value.Graph.Step(step.Key).Speculates
        where speculation.On && confirmed < step.Value && confirmed >= speculation.ConfirmedBeforeCopies(step.Value)
        select (process.Key, step.Key);
}
