using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Places steps that await workers (<see cref="StepAwaitingWorkers"/>, kept in the follower's view): it sends each such
/// step <see cref="PlaceStep"/> with a snapshot of the live workers, all at once, and again every <c>retryEvery</c>
/// while the aggregate leaves it waiting (a step allowed to wait for a matching worker). It never decides: the aggregate does.
/// <para>
/// Right after a start the registry has not yet heard every worker's beat: a step placed then on all matching workers
/// would miss some. So nothing is placed before <c>warmUp</c> has passed (a beat interval and a margin; zero for the
/// embedded engine, whose one worker is registered from the start).
/// </para>
/// </summary>
public sealed class Placer(ProcessRuntime runtime, WorkerRegistry workers, TimeProvider clock, TimeSpan warmUp, TimeSpan? retryEvery = null) : IFollowerHandler
{
    private readonly TimeSpan _retry = retryEvery ?? TimeSpan.FromSeconds(1);
    private readonly HashSet<(ProcessId Process, string Step)> _unplaceable = []; // refused by the aggregate: left alone
    private DateTimeOffset _warm;
    private DateTimeOffset _next;

    /// <summary>How long to wait after a start before placing steps on the registry's workers.</summary>
    public static readonly TimeSpan DefaultWarmUp = Contracts.Messages.WorkerStatus.Interval + TimeSpan.FromSeconds(1);

    public Task StartAsync(RuntimeView view, CancellationToken cancellationToken)
    {
        _warm = _next = clock.GetUtcNow() + warmUp;
        _unplaceable.Clear();
        return Task.CompletedTask;
    }

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RuntimeView view, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var arrived = events.Any(e => e.Event is StepAwaitingWorkers);
        if (now < _warm || (!arrived && now < _next)) return;
        var awaiting = view.AwaitingPlacement.Where(a => !_unplaceable.Contains(a)).ToArray();
        _next = now + _retry;
        if (awaiting.Length == 0) return;
        var live = workers.Live().Select(w => new LabeledWorker(w.Id, w.Labels, w.Steps)).ToArray();
        var refused = await Task.WhenAll(awaiting.Select(async step =>
        {
            try
            {
                await runtime.SendAsync(new PlaceStep(step.Process, step.Step, live));
                return ((ProcessId, string)?)null;
            }
            catch (DomainError)
            {
                return step; // a stream this engine cannot place (e.g. from another version): leave it
            }
            catch (Exception)
            {
                return null; // the store is unreachable: the step stays in view and is placed on a later pass
            }
        }));
        foreach (var step in refused) if (step is { } left) _unplaceable.Add(left);
    }

    public TimeSpan? NextDue(RuntimeView view) =>
        view.AwaitingPlacement.Count == 0 ? null : (clock.GetUtcNow() < _warm ? _warm : _next) - clock.GetUtcNow();
}
