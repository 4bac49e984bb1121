namespace Orchestration.Ports;

/// <summary>
/// Where a follower of the event store keeps how far it has read and what it had built from it by then (a snapshot of
/// its views), to resume there after a restart instead of reading the log again from its start.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>The checkpoint saved last under <paramref name="name"/>, or <see cref="Checkpoint.Start"/> when none was.</summary>
    Task<Checkpoint> LoadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Replaces the checkpoint under <paramref name="name"/>, atomically.</summary>
    Task SaveAsync(string name, Checkpoint checkpoint, CancellationToken cancellationToken = default);
}

/// <summary>A follower's global position and its views' state at that position (serialised by the follower).</summary>
public sealed record Checkpoint(long Position, byte[] State)
{
    /// <summary>Nothing read yet.</summary>
    public static readonly Checkpoint Start = new(0, []);
}
