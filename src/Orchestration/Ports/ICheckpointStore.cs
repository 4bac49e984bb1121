namespace Orchestration.Ports;

/// <summary>Where a follower of the event store keeps how far it has read, to resume there after a restart.</summary>
public interface ICheckpointStore
{
    Task<long> LoadAsync(string name, CancellationToken cancellationToken = default);
    Task SaveAsync(string name, long position, CancellationToken cancellationToken = default);
}
