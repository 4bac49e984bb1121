using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Hosting;

/// <summary>
/// What a client of the engine works with, embedded or distributed alike: the event store to follow processes,
/// the blob store for inputs and results, and a line to the orchestrator's mailboxes to start and cancel processes with
/// (only the orchestrator appends process events).
/// </summary>
public abstract class Engine : IAsyncDisposable
{
    /// <summary>How long a watcher waits out an unreachable event store before it gives up.</summary>
    private static readonly TimeSpan StoreOutageTolerance = TimeSpan.FromMinutes(2);

    /// <summary>The event log: every process's history.</summary>
    public abstract IEventStore Events { get; }
    /// <summary>Where inputs are put and results read.</summary>
    public abstract IBlobStore Blobs { get; }
    /// <summary>
    /// Sends a client's command (start or cancel a process) to the orchestrator's mailbox for its process; returns once its
    /// events are stored. Throws <see cref="DomainError"/> when the process refuses it.
    /// </summary>
    public abstract Task SendAsync(IProcessCommand command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a prune where the runtime runs (this process, or the deployment's orchestrator): archives the selected ended
    /// processes, removes their events and deletes the blobs nothing else uses. Throws <see cref="Orchestration.Retention.PruneRefusedException"/>,
    /// having deleted nothing, for a request that cannot be run.
    /// </summary>
    public abstract Task<Orchestration.Retention.PruneReport> PruneAsync(Orchestration.Retention.PruneRequest request, CancellationToken cancellationToken = default);

    /// <summary>What the runtime counted, when it runs in this process (embedded); null for a client of a distributed deployment.</summary>
    public virtual RuntimeCounters? Counters => null;

    /// <summary>Starts a process, or finds it already started (the same id again resumes rather than restarts).</summary>
    public async Task<ProcessState> StartOrResumeAsync(StartProcess start) => (await StartOrFindAsync(start)).State;

    /// <summary>Starts a process, or finds it already started; <c>Found</c> says which (a process of this id ran before).</summary>
    public async Task<(ProcessState State, bool Found)> StartOrFindAsync(StartProcess start)
    {
        var found = false;
        try { await SendAsync(start); }
        catch (DomainError e) when (e.Name == "process-already-started")
        {
            // Started before (this run resumes it) or by another client a moment ago: follow it, as if it had been there first.
            found = true;
        }
        return (await Events.LoadAsync(start.ProcessId), found);
    }

    private static readonly TimeSpan MinWatchPause = TimeSpan.FromMilliseconds(2), MaxWatchPause = TimeSpan.FromMilliseconds(100);

    /// <summary>Follows a process's events until it ends, calling <paramref name="progress"/> with its state after each batch.</summary>
    public async Task<ProcessState> WaitForEndAsync(ProcessId id, Action<ProcessState>? progress = null, CancellationToken cancellationToken = default)
    {
        var state = new ProcessState();
        long version = 0;
        var unreachableSince = (DateTime?)null;
        // The pause between reads starts short, so that a process of a few milliseconds is seen ending within a few
        // more, and doubles up to MaxWatchPause: a watcher of a busy process reads a few times a second, never loading the store.
        var pause = MinWatchPause;
        while (true)
        {
            try
            {
                var head = await Events.HeadAsync(cancellationToken);
                await foreach (var stored in Events.ReadStreamAsync(ProcessStreams.StreamOf(id), version, cancellationToken))
                {
                    ProcessState.Evolve(state, stored.Event);
                    version = stored.Version;
                }
                unreachableSince = null;
                progress?.Invoke(state);
                if (state.HasEnded) return state;
                await Task.WhenAll(Events.WaitForEventsAsync(head, TimeSpan.FromMilliseconds(250), cancellationToken), Task.Delay(pause, cancellationToken));
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxWatchPause.Ticks));
            }
            catch (Exception error) when (StoreOutage.Explains(error) && DateTime.UtcNow - (unreachableSince ??= DateTime.UtcNow) < StoreOutageTolerance)
            {
                // The store is restarting or out of reach: the process goes on without its watcher, so wait and read on.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>Stops what this engine started (nothing, for an engine inside a host, which the host stops).</summary>
    public abstract ValueTask DisposeAsync();
}
