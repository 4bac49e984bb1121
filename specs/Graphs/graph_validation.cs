using Orchestration.Contracts;
using Orchestration.Graphs;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Graphs;

/// <summary>A graph is checked when it is built, and every problem is reported at once, in the words a user reads.</summary>
public sealed class graph_validation
{
    private static readonly StepWork Work = StepWork.Sql("SELECT 1");

    [Fact]
    public void a_cycle_an_unknown_dependency_and_a_duplicate_name_are_all_reported_at_once()
    {
        var error = Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("broken", 1)
            .Map("a", DataSource.Step("b"), Work)
            .Map("b", DataSource.Step("a"), Work)
            .Reduce("c", DataSource.Step("ghost"), Work)
            .Reduce("c", DataSource.Dataset("sales"), Work)
            .Build());
        Assert.Equal(
        [
            "step name 'c' is used 2 times",
            "step 'c' depends on unknown step 'ghost'",
            "steps form a cycle: a -> b -> a",
        ], error.Problems);
    }

    [Fact]
    public void the_message_names_the_graph_and_lists_one_problem_per_line()
    {
        var error = Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("broken", 1)
            .Map("a", DataSource.Step("b"), Work, s => s.After("ghost"))
            .Map("b", DataSource.Step("a"), Work)
            .Build());
        var lines = error.Message.Split(Environment.NewLine);
        Assert.Equal(["Graph 'broken' v1 is invalid:", " - step 'a' depends on unknown step 'ghost'", " - steps form a cycle: a -> b -> a"], lines);
    }

    [Fact]
    public void a_graph_without_a_name_a_valid_version_or_steps_is_told_all_three()
    {
        var error = Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define(" ", 0).Build());
        Assert.Equal(["the graph has no name", "version 0 must be 1 or more", "the graph has no steps"], error.Problems);
    }

    [Fact]
    public void every_problem_of_every_step_is_reported_at_once()
    {
        var error = Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("steps", 1)
            .Map("Bad Name", DataSource.Dataset("sales"), StepWork.Sql(" "))
            .Map("self", DataSource.Dataset("sales"), Work,
                s => s.After("self").Retry(0).Timeout(TimeSpan.Zero).QueueTimeout(TimeSpan.FromHours(-1)).As("stores").With("stores", DataSource.Dataset("stores")))
            .Shuffle("none", DataSource.Dataset("sales"), "store", 0, Work)
            .Build());
        Assert.Equal(
        [
            "step name 'Bad Name' must be 1-64 characters of a-z, 0-9, '_', '-', '.', starting with a letter or digit",
            "step 'Bad Name' has no SQL to run",
            "step 'self' depends on itself",
            "step 'self' uses the view name 'stores' twice",
            "step 'self' must allow at least 1 attempt (has 0)",
            "step 'self' needs a positive task timeout",
            "step 'self' needs a positive queue timeout",
            "shuffle step 'none' has 0 buckets; a shuffle has 1 to 4096",
            "steps form a cycle: self -> self",
        ], error.Problems);
    }

    [Fact]
    public void a_local_source_must_name_a_simple_root_and_a_relative_glob_that_stays_inside_it()
    {
        var error = Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("local", 1)
            .Map("climbs", DataSource.Local("sales", "../etc/*.csv"), Work)
            .Map("absolute", DataSource.Local("sales", "/etc/passwd"), Work)
            .Map("odd-root", DataSource.Local("../sales", "*.csv"), Work, s => s.With("empty", DataSource.Local("sales", "")))
            .Build());
        Assert.Equal(
        [
            "step 'climbs': the glob '../etc/*.csv' under local root 'sales' may not climb out of it with '..'",
            "step 'absolute': the glob '/etc/passwd' under local root 'sales' must be a relative path with '/' separators, not an absolute one",
            "step 'odd-root': the glob under local root 'sales' is empty (e.g. '*.csv')",
            "step 'odd-root': local root name '../sales' must be 1-64 letters, digits, '_' or '-', starting with a letter",
        ], error.Problems);
    }

    [Fact]
    public void a_valid_graph_builds_and_depends_on_what_its_steps_read()
    {
        var graph = SalesGraph();
        Assert.Empty(graph.Problems());
        Assert.Equal(["partials", "total"], graph.Steps.Select(s => s.Name));
        Assert.Empty(graph.Step("partials").DependsOn);
        Assert.Equal(["partials"], graph.Step("total").DependsOn);
        Assert.Equal(["total"], graph.FinalSteps.Select(s => s.Name));
    }

    [Fact]
    public void a_shuffle_is_a_scatter_step_per_blob_then_a_step_per_bucket()
    {
        var graph = ShuffleGraph();
        var scatter = graph.Step("by-store.scatter");
        Assert.Equal((StepShape.Shuffle, new OnePerBlob(DataSource.Dataset("sales")), StepWork.Partition("store")), (scatter.Shape, scatter.Fanout, scatter.Work));
        Assert.Equal("3", scatter.Parameters["buckets"]);
        Assert.Equal(new OnePerBucket("by-store.scatter", 3), graph.Step("by-store").Fanout);
        Assert.Equal(["by-store.scatter"], graph.Step("by-store").DependsOn);
    }

    [Fact]
    public void a_step_that_does_not_exist_is_named_with_the_steps_that_do()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => SalesGraph().Step("merge"));
        Assert.Equal("Graph 'sales' v1 has no step 'merge'. Its steps: partials, total.", error.Message);
    }

    [Fact]
    public void a_negative_wait_for_workers_is_reported()
    {
        var error = Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("placed", 1)
            .Map("sums", DataSource.Local("sales", "*.csv"), Work, s => s.On("region=EU", Target.All, TimeSpan.FromSeconds(-1)))
            .Build());
        Assert.Equal(
        [
            "step 'sums' cannot wait a negative time for workers",
        ], error.Problems);
    }

    [Fact]
    public void a_placed_step_survives_being_recorded_and_read_back()
    {
        var graph = ProcessGraph.Define("placed", 1)
            .Map("sums", DataSource.Local("sales", "*.csv"), Work, s => s.On("region in (EU,NorthAmerica),!country=US", Target.All)).Build();
        var json = System.Text.Json.JsonSerializer.Serialize(graph);
        var back = System.Text.Json.JsonSerializer.Deserialize<ProcessGraph>(json)!;
        Assert.Contains("\"Selector\":\"region in (EU,NorthAmerica),country!=US\"", json);
        Assert.Equal(graph.Step("sums").On, back.Step("sums").On);
    }

    [Fact]
    public void a_shuffle_join_reading_two_inputs_under_one_view_name_is_refused() =>
        Assert.Contains("shuffle step 'by-store' reads two inputs as 'input'; give each its own view name",
            Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("bad-join", 1)
                .Shuffle("by-store", [new ShuffledInput(null, DataSource.Dataset("sales"), "store"), ShuffledInput.As("input", DataSource.Dataset("stores"), "store")], 3, StepWork.Sql("SELECT 1"))
                .Build()).Problems);

    [Theory]
    [InlineData(0)]
    [InlineData(4_097)]
    public void a_shuffle_with_a_bucket_count_outside_1_to_4096_is_refused(int buckets) =>
        Assert.Contains($"shuffle step 'by-store' has {buckets} buckets; a shuffle has 1 to 4096",
            Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("bad-buckets", 1)
                .Shuffle("by-store", DataSource.Dataset("sales"), "store", buckets, StepWork.Sql("SELECT 1")).Build()).Problems);

    [Fact]
    public void a_condition_naming_an_unknown_step_and_a_list_reported_by_a_csharp_step_are_refused_when_the_graph_is_built() =>
        Assert.Equal(
        [
            "step 'report' runs only if metadata 'rows' of 'ghost' > 0, but the graph has no step 'ghost'",
            "step 'score' reports lists (days), which only a SQL step's tasks do; a C# step puts its lists in its metadata itself",
        ], Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("conditions", 1)
            .Reduce("report", DataSource.Dataset("sales"), Work, s => s.OnlyIf(Metadata.Count("ghost", "rows") > 0))
            .Map("score", DataSource.Dataset("sales"), StepWork.Code("score"), s => s.ReportList("days", "day"))
            .Build()).Problems);

    [Fact]
    public void a_concurrency_limit_below_1_or_on_a_step_placed_on_every_matching_worker_is_refused_when_the_graph_is_built() =>
        Assert.Equal(
        [
            "step 'none' has a concurrency limit of 0; it must be at least 1",
            "step 'each' runs one task on each matching worker, so a concurrency limit cannot hold it back; place it on any worker (Target.Any) to limit it",
        ], Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("limits", 1)
            .Map("none", DataSource.Dataset("sales"), Work, s => s.MaxConcurrency(0))
            .Run("each", Work, s => s.On("node", Target.All).MaxConcurrency(1))
            .Build()).Problems);

    [Fact]
    public void speculation_with_a_share_or_multiple_out_of_range_on_every_matching_worker_or_under_a_limit_is_refused_when_the_graph_is_built() =>
        Assert.Equal(
        [
            "step 'eager' speculates once 0 of its tasks are done, past 0.5x the median; the share must be above 0 and at most 1, the multiple at least 1",
            "step 'each' runs one task on each matching worker, so a copy of a straggler has no other worker to run on; leave speculation off",
            "step 'limited' has a concurrency limit, which a copy of a straggler would break; leave speculation off",
        ], Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("speculation", 1)
            .Map("eager", DataSource.Dataset("sales"), Work, s => s.Speculate(quantile: 0, multiple: 0.5))
            .Run("each", Work, s => s.On("node", Target.All).Speculate())
            .Map("limited", DataSource.Dataset("sales"), Work, s => s.MaxConcurrency(2).Speculate())
            .Build()).Problems);

    [Fact]
    public void progress_extending_the_timeout_of_a_sql_step_or_only_up_to_the_timeout_is_refused_when_the_graph_is_built() =>
        Assert.Equal(
        [
            "step 'sql' lets progress extend its timeout, but only a C# step reports progress; give its SQL a longer Timeout instead",
            "step 'short' lets progress extend its 60 s timeout only up to 30 s; the limit must be longer than the timeout",
        ], Assert.Throws<InvalidGraphException>(() => ProcessGraph.Define("progress", 1)
            .Map("sql", DataSource.Dataset("sales"), StepWork.Sql("SELECT * FROM input"), s => s.TimeoutExtendedByProgress(TimeSpan.FromMinutes(10)))
            .Map("short", DataSource.Dataset("sales"), StepWork.Code("score"), s => s.Timeout(TimeSpan.FromMinutes(1)).TimeoutExtendedByProgress(TimeSpan.FromSeconds(30)))
            .Build()).Problems);

    [Fact]
    public void packing_needs_a_positive_size_and_a_step_over_blobs()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => ProcessGraph.Define("packed-zero", 1)
            .Map("partials", DataSource.Dataset("sales"), Work, s => s.PackBlobsUpTo(0)));
        Assert.StartsWith("PackBlobsUpTo needs a positive number of bytes, not 0: e.g. 64 * 1024 * 1024 for runs of up to 64 MiB.", zero.Message);
        var reduce = Assert.Throws<ArgumentException>(() => ProcessGraph.Define("packed-reduce", 1)
            .Reduce("total", DataSource.Dataset("sales"), Work, s => s.PackBlobsUpTo(1_000)));
        Assert.StartsWith("Step 'total' has PackBlobsUpTo, which only a map over blobs or a shuffle has: it runs one task over all of dataset 'sales'.", reduce.Message);
    }
}
