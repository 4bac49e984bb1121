using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Runtime;
using Xunit;

namespace Orchestration.Specs.Graphs;

/// <summary>Which steps reuse recorded results, and what a task's cache key depends on.</summary>
public sealed class task_cache
{
    private static StepDefinition Step(StepWork work, Action<StepOptions>? configure = null) =>
        ProcessGraph.Define("g", 1).Map("m", DataSource.Dataset("in"), work, configure).Build().Step("m");

    [Fact]
    public void a_sql_step_reuses_results_by_default_and_not_when_told_or_when_it_reads_the_clock_or_chance()
    {
        Assert.True(Step(StepWork.Sql("SELECT sum(n) FROM input")).Reuses);
        Assert.False(Step(StepWork.Sql("SELECT sum(n) FROM input"), s => s.NoCache()).Reuses);
        Assert.False(Step(StepWork.Sql("SELECT n, random() AS r FROM input")).Reuses);
        Assert.False(Step(StepWork.Sql("SELECT * FROM input WHERE day < current_date")).Reuses);
        Assert.False(Step(StepWork.Sql("SELECT NOW() AS at, * FROM input")).Reuses);
        Assert.True(Step(StepWork.Sql("SELECT randomness_score FROM input")).Reuses); // a column, not the function
    }

    [Fact]
    public void a_csharp_step_reuses_results_only_when_it_opts_in()
    {
        Assert.False(Step(StepWork.Code("score")).Reuses);
        Assert.True(Step(StepWork.Code("score"), s => s.Cache()).Reuses);
    }

    private static readonly BlobRef Sales = new(new Uri("blob://local/inputs/sales.csv"), "aa11", 100, -1);

    private static RunTask Task(string process = "p-1", string sql = "SELECT 1", BlobRef? input = null, int partition = 0, int version = 1) =>
        new(ProcessId.From(process), TaskId.From($"{process}/m/{partition}"), 1, "m", partition, new StepWork(WorkKind.Sql, sql, version),
            [new TaskInput("input", input ?? Sales)], new Dictionary<string, string> { ["partition"] = $"{partition}", ["partitions"] = "4" }, DateTimeOffset.UnixEpoch);

    [Fact]
    public void the_same_work_over_the_same_bytes_has_the_same_key_in_any_process_and_attempt()
    {
        Assert.Equal(TaskCacheKey.Of(Task("p-1")), TaskCacheKey.Of(Task("p-2") with { Attempt = 3, LogPosition = 99, Deadline = DateTimeOffset.MaxValue }));
        Assert.Matches("^[0-9a-f]{64}$", TaskCacheKey.Of(Task()));
    }

    [Fact]
    public void other_work_other_bytes_or_another_partition_has_another_key()
    {
        var key = TaskCacheKey.Of(Task());
        Assert.NotEqual(key, TaskCacheKey.Of(Task(sql: "SELECT 2")));
        Assert.NotEqual(key, TaskCacheKey.Of(Task(input: Sales with { Sha256 = "bb22" })));
        Assert.NotEqual(key, TaskCacheKey.Of(Task(partition: 1)));
        Assert.NotEqual(key, TaskCacheKey.Of(Task(version: 2)));
        Assert.NotEqual(key, TaskCacheKey.Of(Task() with { Inputs = [new TaskInput("other", Sales)] }));
    }

    [Fact]
    public void a_task_reading_local_files_in_place_has_no_key_as_their_bytes_are_not_hashed()
    {
        Assert.Null(TaskCacheKey.Of(Task(input: LocalInput.Reference("sales", "*.csv"))));
    }
}
