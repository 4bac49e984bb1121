using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Schedules;

namespace Orchestration.Runtime;

/// <summary>
/// Reading processes back from the event store: one stream per process, <c>process-{id}</c>. Process streams and
/// schedule streams (<c>schedule-{name}</c>) have namespaces of their own, so no process id can name a schedule's stream.
/// </summary>
public static class ProcessStreams
{
    /// <summary>What every process stream's name starts with.</summary>
    public const string Prefix = "process-";

    public static string StreamOf(ProcessId id) => Prefix + id.Value;

    /// <summary>The process a stream belongs to, or null for a stream of another kind (a schedule's firings).</summary>
    public static ProcessId? ProcessOf(string stream) =>
        stream.StartsWith(Prefix, StringComparison.Ordinal) ? ProcessId.From(stream[Prefix.Length..]) : null;

    /// <summary>
    /// Refuses a store written before streams had namespaces (version 0.1.0 named a process stream by the bare process
    /// id): its processes would be invisible, and a new process could collide with an old stream. The first events
    /// tell, as an old store began with such streams. <paramref name="where"/> names the store in the message.
    /// </summary>
    public static async Task RefuseUnnamespacedAsync(this IEventStore store, string where, CancellationToken cancellationToken = default)
    {
        var first = await store.ReadAllAsync(0, 1_000, cancellationToken);
        if (first.FirstOrDefault(e => ProcessOf(e.Stream) is null && !ScheduleDecider.IsScheduleStream(e.Stream) && !Retention.RetentionStream.Is(e.Stream)) is { } old)
            throw new IncompatibleStoreException(
                $"The event store {where} was written by an older version of the engine (its stream '{old.Stream}' has no " +
                $"'{Prefix}' or '{ScheduleDecider.StreamPrefix}' namespace). Let the older version finish its processes, then " +
                "point this one at a new store (another data directory, or another Orchestration__Schema).");
    }

    /// <summary>Folds a process's whole stream; a process never started comes back as <see cref="ProcessStatus.NotStarted"/>.</summary>
    public static async Task<ProcessState> LoadAsync(this IEventStore store, ProcessId id, CancellationToken cancellationToken = default)
    {
        var state = new ProcessState();
        await foreach (var stored in store.ReadStreamAsync(StreamOf(id), 0, cancellationToken))
            ProcessState.Evolve(state, stored.Event);
        return state;
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
