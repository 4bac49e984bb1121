using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Places steps that await workers (<see cref="StepAwaitingWorkers"/>): it follows the event store and sends each
/// such step <see cref="PlaceStep"/> with a snapshot of the live workers, again every <c>retryEvery</c> while the
/// aggregate drops it (a step allowed to wait for a matching worker). It never decides: the aggregate does.
/// <para>
/// Right after a start the registry has not yet heard every worker's beat: a step placed then on all matching workers
/// would miss some. So nothing is placed before <c>warmUp</c> has passed (a beat interval and a margin; zero for the
/// embedded engine, whose one worker is registered from the start).
/// </para>
/// </summary>
public sealed class Placer(IEventStore store, ProcessRuntime runtime, WorkerRegistry workers, TimeProvider clock, TimeSpan warmUp, TimeSpan? retryEvery = null)
{
    private readonly HashSet<(ProcessId Process, string Step)> _awaiting = [];
    private readonly TimeSpan _retry = retryEvery ?? TimeSpan.FromSeconds(1);

    /// <summary>How long to wait after a start before placing steps on the registry's workers.</summary>
    public static readonly TimeSpan DefaultWarmUp = Contracts.Messages.WorkerStatus.Interval + TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var warm = clock.GetUtcNow() + warmUp;
        long position = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var events = await store.ReadAllAsync(position, 5_000, cancellationToken);
            foreach (var stored in events) Observe(stored.Event);
            if (events.Count > 0) position = events[^1].Position;
            var untilWarm = warm - clock.GetUtcNow();
            if (_awaiting.Count > 0 && untilWarm <= TimeSpan.Zero) await PlaceAsync();
            if (events.Count == 0)
                await store.WaitForEventsAsync(position, untilWarm > TimeSpan.Zero && _awaiting.Count > 0 ? untilWarm : _retry, cancellationToken);
        }
    }

    private void Observe(IProcessEvent e)
    {
        switch (e)
        {
            case StepAwaitingWorkers awaiting: _awaiting.Add((awaiting.ProcessId, awaiting.Step)); break;
            case StepStarted started: _awaiting.Remove((started.ProcessId, started.Step)); break;
            case StepFailed failed: _awaiting.Remove((failed.ProcessId, failed.Step)); break;
            case ProcessCompleted or ProcessFailed or ProcessCancelled: _awaiting.RemoveWhere(a => a.Process == e.ProcessId); break;
        }
    }

    private async Task PlaceAsync()
    {
        var live = workers.Live().Select(w => new LabeledWorker(w.Id, w.Labels, w.Steps)).ToArray();
        foreach (var (process, step) in _awaiting.ToArray())
        {
            try
            {
                var decision = await runtime.SendAsync(new PlaceStep(process, step, live));
                if (decision.Dropped is { Kind: DropKind.StepNotAwaitingWorkers }) _awaiting.Remove((process, step));
            }
            catch (DomainError)
            {
                _awaiting.Remove((process, step)); // a stream this engine cannot place (e.g. from another version): leave it
            }
            catch (Exception)
            {
                // The store is unreachable: the step stays in view and is placed on a later pass.
            }
        }
    }
}
