using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>Reading processes back from the event store: one stream per process, named by its id.</summary>
public static class ProcessStreams
{
    public static string StreamOf(ProcessId id) => id.Value;

    /// <summary>Folds a process's whole stream; a process never started comes back as <see cref="ProcessStatus.NotStarted"/>.</summary>
    public static async Task<ProcessState> LoadAsync(this IEventStore store, ProcessId id, CancellationToken cancellationToken = default)
    {
        var state = new ProcessState();
        await foreach (var stored in store.ReadStreamAsync(StreamOf(id), 0, cancellationToken))
            ProcessState.Evolve(state, stored.Event);
        return state;
    }

    /// <summary>Every process in the store, folded.</summary>
    public static async Task<IReadOnlyList<ProcessState>> LoadAllAsync(this IEventStore store, CancellationToken cancellationToken = default)
    {
        var processes = new List<ProcessState>();
        foreach (var stream in await store.StreamsAsync(cancellationToken))
            if (await store.LoadAsync(ProcessId.From(stream.Stream), cancellationToken) is { Status: not ProcessStatus.NotStarted } process)
                processes.Add(process); // not a schedule's stream of firings
        return processes;
    }

    /// <summary>The process as it stood after its first <paramref name="version"/> events (time travel over the stream).</summary>
    public static async Task<ProcessState> LoadAtAsync(this IEventStore store, ProcessId id, long version, CancellationToken cancellationToken = default)
    {
        var state = new ProcessState();
        await foreach (var stored in store.ReadStreamAsync(StreamOf(id), 0, cancellationToken))
        {
            if (stored.Version > version) break;
            ProcessState.Evolve(state, stored.Event);
        }
        return state;
    }
}
