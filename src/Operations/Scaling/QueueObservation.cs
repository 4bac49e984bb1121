namespace Orchestration.Operations.Scaling;

/// <summary>
/// One reading of the task queue: messages waiting for a worker (<see cref="Ready"/>), delivered but not yet
/// acknowledged (<see cref="Unacknowledged"/>: running or prefetched), and the workers consuming it.
/// </summary>
public sealed record QueueObservation(long Ready, long Unacknowledged, int Consumers);
