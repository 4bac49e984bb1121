using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Hosting.Sharding;

/// <summary>Makes the log follower of a shard, with handlers of its own (dispatcher, timeout manager, placer, ...) over the orchestrator's one runtime.</summary>
public sealed class LogFollowers(Func<Shard, LogFollower> create)
{
    /// <summary>A new follower of <paramref name="shard"/>'s streams, resuming from that shard's checkpoint.</summary>
    public LogFollower Of(Shard shard) => create(shard);
}
