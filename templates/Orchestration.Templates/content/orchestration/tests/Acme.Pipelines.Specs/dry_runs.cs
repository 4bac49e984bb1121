using Acme.Pipelines.Graphs;
using Orchestration.Processes;
using Orchestration.Testing;
using Xunit;

namespace Acme.Pipelines.Specs;

/// <summary>The whole graph in memory with stubbed step results: no DuckDB, no services.</summary>
public sealed class dry_runs
{
    [Fact]
    public void every_partition_is_summed_then_the_totals_are_scored_once()
    {
        var run = new GraphDryRun(CustomerTiers.Graph).WithDataset("sales", partitions: 5).Run();

        Assert.Equal(ProcessStatus.Completed, run.Status);
        Assert.Equal(5, run.TasksOf("spend"));
        Assert.Equal(1, run.TasksOf("scores"));
        Assert.Equal(1, run.TasksOf("tiers"));
    }

    [Fact]
    public void a_flaky_spend_task_is_retried_and_the_process_completes()
    {
        var run = new GraphDryRun(CustomerTiers.Graph).WithDataset("sales", partitions: 3)
            .Step("spend", task => task.Partition == 1 && task.Attempt == 1 ? StepOutcome.Fails("worker lost its connection") : StepOutcome.Succeeds())
            .Run();

        Assert.Equal(ProcessStatus.Completed, run.Status);
        Assert.Equal(4, run.AttemptsOf("spend"));
    }

    [Fact]
    public void a_scoring_task_that_always_hangs_fails_the_process_after_its_attempts()
    {
        var run = new GraphDryRun(CustomerTiers.Graph).WithDataset("sales", partitions: 2)
            .Step("scores", _ => StepOutcome.Hangs())
            .Run();

        Assert.Equal(ProcessStatus.Failed, run.Status);
        Assert.Contains("scores/0 timed out after", run.Reason);
    }
}
