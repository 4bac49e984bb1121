using System.Collections.Immutable;
using Orchestration.Contracts;
using Orchestration.Ports;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// Where a process's messages are decided in a distributed deployment: each shard has a queue of its own
/// (<c>{prefix}orchestrator.shard-{n}</c>) that only the orchestrator owning the shard reads. Workers send a task's
/// results there (a task carries its shard's queue as its response address) and an orchestrator that gets a command
/// for a shard it does not own hands it on there. Which shards this orchestrator owns is set as it takes and hands them on.
/// </summary>
public sealed class ShardRouting(string queuePrefix, int count)
{
    private ImmutableHashSet<int> _here = [];

    public int Count { get; } = Shard.CheckCount(count, "Orchestration:Shards");

    /// <summary>The queue only the owner of <paramref name="shard"/> reads.</summary>
    public string QueueOf(int shard) => $"{queuePrefix}orchestrator.shard-{shard}";

    public Uri AddressOf(ProcessId process) => new($"queue:{QueueOf(Shard.Of(process, Count).Index)}");

    /// <summary>True while this orchestrator owns the process's shard.</summary>
    public bool IsHere(ProcessId process) => Volatile.Read(ref _here).Contains(Shard.Of(process, Count).Index);

    public IReadOnlySet<int> Owned => Volatile.Read(ref _here);

    public void Own(int shard) => ImmutableInterlocked.Update(ref _here, here => here.Add(shard));

    public void Disown(int shard) => ImmutableInterlocked.Update(ref _here, here => here.Remove(shard));

    /// <summary>The exchange workers send their status beats to: every orchestrator binds a queue of its own to it.</summary>
    public static string WorkerBeats(string queuePrefix) => $"{queuePrefix}orchestrator.workers";
}
