using Orchestration.Processes;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.SelfTests;

/// <summary>The testing package's dry run: a whole graph through the real aggregate, with stubbed step results.</summary>
public sealed class dry_run
{
    [Fact]
    public void a_fan_out_follows_the_metadata_the_stubs_report()
    {
        var run = new GraphDryRun(DynamicGraph()).WithDataset("sales", partitions: 2)
            .Step("list", task => StepOutcome.Succeeds("partitions", task.Partition == 0 ? "2" : "3"))
            .Run();

        Assert.Equal(ProcessStatus.Completed, run.Status);
        Assert.Equal(5, run.TasksOf("fan"));
        Assert.Equal(1, run.TasksOf("merge"));
    }

    [Fact]
    public void a_step_failing_for_good_fails_the_process_with_the_stubs_error_in_its_reason()
    {
        var run = new GraphDryRun(SalesGraph()).WithDataset("sales", partitions: 3).WithDataset("stores", partitions: 1)
            .Step("partials", task => task.Partition == 2 ? StepOutcome.Fails("column amount not found", retryable: false) : StepOutcome.Succeeds())
            .Run();

        Assert.Equal(ProcessStatus.Failed, run.Status);
        Assert.Contains("column amount not found", run.Reason);
        Assert.Equal(0, run.TasksOf("total"));
    }

    [Fact]
    public void a_hanging_step_is_timed_out_and_retried_up_to_its_limit()
    {
        var run = new GraphDryRun(SalesGraph(maxAttempts: 3)).WithDataset("sales", partitions: 1).WithDataset("stores", partitions: 1)
            .Step("partials", _ => StepOutcome.Hangs())
            .Run();

        Assert.Equal(ProcessStatus.Failed, run.Status);
        Assert.Equal(3, run.AttemptsOf("partials"));
        Assert.EndsWith("timed out after 60 s on dry-run (attempt 3 of 3, no retries left)", run.Reason, StringComparison.Ordinal); // its task timeout, from its start
    }

    [Fact]
    public void a_stub_for_a_step_the_graph_does_not_have_is_refused_naming_its_steps()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => new GraphDryRun(SalesGraph()).Step("partial", _ => StepOutcome.Succeeds()));
        Assert.Contains("Its steps: partials, total", error.Message);
    }
}
