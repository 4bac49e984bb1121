using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Specs.Aggregate;

/// <summary>A list of 100,000 items, reported through one event, fans out to 100,000 tasks in one decision, each with its item.</summary>
public sealed class fan_out_over_many_items
{
    [Fact]
    public void a_list_of_100_000_items_makes_100_000_tasks_each_with_its_item()
    {
        var graph = ProcessGraph.Define("many", 1)
            .Reduce("find", DataSource.Dataset("in"), StepWork.Sql("SELECT DISTINCT customer FROM input"), s => s.ReportList("customers", "customer"))
            .Map("each", Metadata.Items("find", "customers"), StepWork.Sql("SELECT getvariable('item') AS customer"))
            .Build();
        var id = ProcessId.From("p-many");
        var now = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var state = new ProcessState();
        void Apply(IProcessCommand command) { foreach (var e in ProcessDecider.Decide(state, command, now).Events) ProcessState.Evolve(state, e); }
        Apply(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = [new BlobRef(new Uri("blob://local/in/0"), "00", 1, 1)] }, new Dictionary<string, string>()));
        var customers = Enumerable.Range(0, 100_000).Select(i => $"customer-{i}").ToArray();

        var decision = ProcessDecider.Decide(state, new ConfirmTask(id, TaskId.For(id, "find", 0), 1, WorkerId.From("w"), [],
            new Dictionary<string, string> { ["customers"] = MetadataList.Format(customers) }, TaskMetrics.None), now);

        var scheduled = decision.Events.OfType<TaskScheduled>().ToList();
        Assert.Equal(100_000, scheduled.Count);
        Assert.Equal(customers, scheduled.Select(s => s.Item));
    }
}
