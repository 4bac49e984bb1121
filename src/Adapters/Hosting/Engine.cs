using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Adapters.Hosting;

/// <summary>
/// What a client of the engine works with, embedded or distributed alike: the event store to follow processes,
/// the blob store for inputs and results, and a runtime to start processes with.
/// </summary>
public abstract class Engine : IAsyncDisposable
{
    public abstract IEventStore Events { get; }
    public abstract IBlobStore Blobs { get; }
    public abstract ProcessRuntime Runtime { get; }

    /// <summary>Starts a process, or finds it already started (the same id again resumes rather than restarts).</summary>
    public async Task<ProcessState> StartOrResumeAsync(StartProcess start)
    {
        var existing = await Events.LoadAsync(start.ProcessId);
        if (existing.Status == ProcessStatus.NotStarted)
            await Runtime.SendAsync(start);
        return await Events.LoadAsync(start.ProcessId);
    }

    /// <summary>Follows a process's events until it ends, calling <paramref name="progress"/> with its state after each batch.</summary>
    public async Task<ProcessState> WaitForEndAsync(ProcessId id, Action<ProcessState>? progress = null, CancellationToken cancellationToken = default)
    {
        var state = new ProcessState();
        long version = 0;
        while (true)
        {
            var head = await Events.HeadAsync(cancellationToken);
            await foreach (var stored in Events.ReadStreamAsync(ProcessStreams.StreamOf(id), version, cancellationToken))
            {
                ProcessState.Evolve(state, stored.Event);
                version = stored.Version;
            }
            progress?.Invoke(state);
            if (state.HasEnded) return state;
            // A watcher reads at most a few times a second, however busy the process: it must not load the store.
            await Task.WhenAll(Events.WaitForEventsAsync(head, TimeSpan.FromMilliseconds(250), cancellationToken),
                Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken));
        }
    }

    public abstract ValueTask DisposeAsync();
}
