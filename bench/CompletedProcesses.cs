using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Ports;
using Orchestration.Processes;
using Orchestration.Runtime;

namespace Orchestration.Bench;

/// <summary>A history to measure over: completed two-task processes, 8 events each, written straight to a store in group commits.</summary>
internal static class CompletedProcesses
{
    private static readonly ProcessGraph Graph = ProcessGraph.Define("bench-history", 1).Map("map", DataSource.Dataset("in"), StepWork.Sql("SELECT * FROM input")).Build();

    /// <summary>Writes <paramref name="processes"/> processes named <c>{prefix}-{i}</c>, <paramref name="perCommit"/> to an append, the i-th started <paramref name="start"/> + i seconds.</summary>
    public static async Task WriteAsync(IEventStore store, int processes, string prefix, int perCommit, DateTimeOffset start)
    {
        for (var first = 0; first < processes; first += perCommit)
            await store.AppendAsync(Enumerable.Range(first, Math.Min(perCommit, processes - first)).Select(i =>
            {
                var id = ProcessId.From($"{prefix}-{i:D7}");
                return new StreamAppend(ProcessStreams.StreamOf(id), 0, Events(id, start.AddSeconds(i)));
            }).ToArray());
    }

    private static IProcessEvent[] Events(ProcessId id, DateTimeOffset at)
    {
        var blob = new BlobRef(new Uri($"blob://local/{id}/in.csv"), "00", 10, 1);
        return
        [
            new ProcessStarted(id, Graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = [blob, blob] }, new Dictionary<string, string>(), at),
            new StepStarted(id, "map", 2, at),
            .. Enumerable.Range(0, 2).Select(p => new TaskScheduled(id, TaskId.For(id, "map", p), 1, "map", p, [new TaskInput("input", blob)], null, at, at.AddMinutes(5))),
            .. Enumerable.Range(0, 2).Select(p => new TaskConfirmed(id, TaskId.For(id, "map", p), 1, WorkerId.From("w"), [blob], new Dictionary<string, string>(), TaskMetrics.None, at)),
            new StepCompleted(id, "map", 2, at),
            new ProcessCompleted(id, [blob, blob], at),
        ];
    }
}
