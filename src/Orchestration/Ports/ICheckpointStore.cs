namespace Orchestration.Ports;

/// <summary>
/// Where a follower of the event store keeps how far it has read and what it had built from it by then (a snapshot of
/// its views), to resume there after a restart instead of reading the log again from its start.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>The checkpoint saved last under <paramref name="name"/>, or <see cref="Checkpoint.Start"/> when none was.</summary>
    Task<Checkpoint> LoadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the checkpoint under <paramref name="name"/>, atomically, its state written by <paramref name="writeState"/>
    /// to a stream: a view of a million open attempts is hundreds of megabytes, which must not be held in memory at once.
    /// </summary>
    Task SaveAsync(string name, long position, Func<Stream, CancellationToken, Task> writeState, CancellationToken cancellationToken = default);
}

/// <summary>A follower's global position and its views' state at that position (serialised by the follower).</summary>
public sealed record Checkpoint(long Position, byte[] State)
{
    /// <summary>Nothing read yet.</summary>
    public static readonly Checkpoint Start = new(0, []);
}

/// <summary>A checkpoint whose state is already bytes.</summary>
public static class CheckpointStores
{
    /// <summary>Replaces the checkpoint under <paramref name="name"/>, atomically.</summary>
    public static Task SaveAsync(this ICheckpointStore store, string name, Checkpoint checkpoint, CancellationToken cancellationToken = default) =>
        store.SaveAsync(name, checkpoint.Position, (stream, token) => stream.WriteAsync(checkpoint.State, token).AsTask(), cancellationToken);
}
