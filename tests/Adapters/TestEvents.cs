using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.Tests.Adapters;

/// <summary>Realistic process events for adapter tests.</summary>
internal static class TestEvents
{
    public static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly ProcessGraph Graph = ProcessGraph.Define("adapter-test", 1)
        .Map("map", DataSource.Dataset("in"), StepWork.Sql("SELECT * FROM input"), s => s.With("dim", DataSource.Dataset("dim")))
        .Reduce("merge", DataSource.Step("map"), StepWork.Sql("SELECT count(*) FROM input"))
        .Build();

    public static BlobRef Blob(string name) => new(new Uri($"blob://test/{name}"), "0123456789abcdef", 42, 7);

    public static IProcessEvent[] Started(string process, int tasks = 2)
    {
        var id = ProcessId.From(process);
        var data = new Dictionary<string, IReadOnlyList<BlobRef>>
        {
            ["in"] = Enumerable.Range(0, tasks).Select(i => Blob($"in-{i}")).ToArray(),
            ["dim"] = [Blob("dim")],
        };
        return
        [
            new ProcessStarted(id, Graph, data, new Dictionary<string, string> { ["day"] = "2026-03-01" }, At),
            new StepStarted(id, "map", tasks, At),
            .. Enumerable.Range(0, tasks).Select(i => new TaskScheduled(id, TaskId.For(id, "map", i), 1, "map", i,
                [new TaskInput("input", Blob($"in-{i}")), new TaskInput("dim", Blob("dim"))], null, At, At.AddMinutes(5))),
        ];
    }

    public static IProcessEvent Confirmed(string process, int partition) =>
        new TaskConfirmed(ProcessId.From(process), TaskId.For(ProcessId.From(process), "map", partition), 1, WorkerId.From("w-1"),
            [Blob($"out-{partition}")], new Dictionary<string, string> { ["rows"] = "7" }, new TaskMetrics(7, 42, 42, TimeSpan.FromMilliseconds(3)), At);
}
