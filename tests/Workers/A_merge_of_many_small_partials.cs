using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Workers;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Workers;

/// <summary>
/// A worker reads a view of many small Parquet partials as compacted groups it keeps beside its sandboxes: the step
/// sees exactly the rows, columns and order it would over the partials themselves, and a merge run again after one
/// partial changed compacts that partial's group alone.
/// </summary>
public sealed class A_merge_of_many_small_partials : IDisposable
{
    private const string Merge = "SELECT store, sum(sales)::BIGINT AS sales, sum(revenue) AS revenue FROM partials GROUP BY store ORDER BY store";
    private readonly TempDirectory _dir = new();
    private readonly LocalBlobStore _blobs;
    private readonly SandboxPool _sandboxes;
    private readonly TaskRunner _runner;
    private static readonly ProcessId Process = ProcessId.From("p-merge");

    public A_merge_of_many_small_partials()
    {
        _blobs = new LocalBlobStore(_dir["blobs"]);
        _sandboxes = new SandboxPool(_dir["scratch"], 1);
        _runner = new TaskRunner(_blobs, _sandboxes, new CodeStepRegistry(), WorkerId.From("worker-a"));
    }

    public void Dispose()
    {
        _sandboxes.Dispose();
        _dir.Dispose();
    }

    private int Kept => Directory.Exists(_sandboxes.Compacted.Directory) ? Directory.GetFiles(_sandboxes.Compacted.Directory, "*.parquet").Length : 0;

    [Fact]
    public async Task Its_result_is_the_one_over_the_partials_themselves_and_a_rerun_after_one_change_compacts_one_group_again()
    {
        var files = Enumerable.Range(0, 60).Select(p => Partial(p, seed: 0)).ToList();

        (await RunAsync(Merge, files)).Should().Equal(Direct(Merge, files));
        (await RunAsync("SELECT * FROM partials", files)).Should().Equal(Direct("SELECT *", files), "the rows come in the partials' order");
        var kept = Kept;
        kept.Should().BeGreaterThan(1, "60 partials are read in groups");

        files[30] = Partial(30, seed: 1);
        (await RunAsync(Merge, files)).Should().Equal(Direct(Merge, files));
        (Kept - kept).Should().BeInRange(1, 2, "only the changed partial's group (split in two at most) is new");
    }

    [Fact]
    public async Task Partials_whose_columns_differ_are_matched_by_name_as_without_compaction()
    {
        var files = Enumerable.Range(0, 40).Select(p => Partial(p, seed: 0)).ToList();
        files[7] = Write("reordered", "SELECT 9 AS revenue, 7::BIGINT AS sales, 3 AS store");
        files[21] = Write("wider", "SELECT 5 AS store, 2::BIGINT AS sales, 1.5::DECIMAL(38, 1) AS revenue, 'late' AS note");

        (await RunAsync("SELECT * FROM partials", files)).Should().Equal(Direct("SELECT *", files));
        Kept.Should().BePositive("the groups of one schema are compacted after the first run");
        (await RunAsync("SELECT * FROM partials", files)).Should().Equal(Direct("SELECT *", files), "the groups kept hold the same columns");
        (await RunAsync(Merge, files)).Should().Equal(Direct(Merge, files));
    }

    [Fact]
    public async Task A_worker_stopped_while_it_compacts_what_a_merge_read_ends_cleanly_keeping_only_whole_groups()
    {
        var files = Enumerable.Range(0, 60).Select(p => Partial(p, seed: 0)).ToList();
        var outcome = await _runner.RunAsync(Task(Merge, await UploadAsync(files)), CancellationToken.None);

        _sandboxes.Dispose(); // as the worker stops, its groups most likely still being compacted

        outcome.Completed.Should().NotBeNull("the merge's outcome never waits for the compaction");
        Directory.GetFiles(_dir["scratch"], "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(_sandboxes.Compacted.Directory, StringComparison.Ordinal))
            .Should().BeEmpty("the task's files are removed once the work on them has ended");
        var kept = Directory.Exists(_sandboxes.Compacted.Directory) ? Directory.GetFiles(_sandboxes.Compacted.Directory) : [];
        kept.Where(f => !f.EndsWith(".parquet", StringComparison.Ordinal)).Should().BeEmpty("nothing half-written is left as an entry");
        foreach (var entry in kept) DuckDb.Rows($"SELECT count(*) FROM '{entry}'").Single().Should().NotBe("0");
    }

    [Fact]
    public async Task No_step_reads_the_groups_the_worker_keeps_for_others()
    {
        var files = Enumerable.Range(0, 40).Select(p => Partial(p, seed: 0)).ToList();
        await RunAsync(Merge, files);
        Kept.Should().BePositive();

        var outcome = await _runner.RunAsync(Task($"SELECT count(*) AS n FROM read_parquet('{_sandboxes.Compacted.Directory}/*.parquet')"), CancellationToken.None);

        outcome.Failed.Should().NotBeNull();
        outcome.Failed!.Error.Should().Contain("Permission Error");
    }

    [Fact]
    public async Task A_csharp_step_gets_every_partial_as_it_is()
    {
        var files = Enumerable.Range(0, 20).Select(p => Partial(p, seed: 0)).ToList();
        var counted = new CountsItsInputs();
        var runner = new TaskRunner(_blobs, _sandboxes, new CodeStepRegistry().Add(counted), WorkerId.From("worker-a"));
        var inputs = await UploadAsync(files);

        var outcome = await runner.RunAsync(Task(StepWork.Code(counted.Name), inputs), CancellationToken.None);

        outcome.Completed!.Metadata["files"].Should().Be("20");
    }

    private sealed class CountsItsInputs : ICodeStep
    {
        public string Name => "counts-its-inputs";

        public Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult(new CodeStepResult([], new Dictionary<string, string> { ["files"] = context.Inputs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    private string Partial(int partition, int seed) =>
        Write($"partial-{partition}-{seed}",
            $"SELECT (i * 7 + {partition}) % 13 AS store, count(*)::BIGINT AS sales, sum(i + {seed})::DECIMAL(38, 0) AS revenue FROM range({partition * 10 + 5}) t(i) GROUP BY ALL ORDER BY store");

    private string Write(string name, string select)
    {
        var file = _dir[$"{name}.parquet"];
        DuckDb.Execute($"COPY ({select}) TO '{file}' (FORMAT parquet)");
        return file;
    }

    private static IReadOnlyList<string> Direct(string sql, IReadOnlyList<string> files) =>
        DuckDb.Rows($"WITH partials AS (SELECT * FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}], union_by_name = true)) {sql.Replace("SELECT *", "SELECT * FROM partials")}");

    private async Task<IReadOnlyList<string>> RunAsync(string sql, IReadOnlyList<string> files)
    {
        var outcome = await _runner.RunAsync(Task(sql, await UploadAsync(files)), CancellationToken.None);
        await _sandboxes.SettledAsync(); // the groups it read as they were are compacted once it is done
        var completed = outcome.Completed ?? throw new Xunit.Sdk.XunitException(outcome.Failed!.Error);
        var local = _dir[$"out-{Guid.NewGuid():N}.parquet"];
        await _blobs.DownloadAsync(completed.Outputs[0], local);
        return DuckDb.Rows($"SELECT * FROM '{local}'");
    }

    private async Task<TaskInput[]> UploadAsync(IReadOnlyList<string> files)
    {
        var inputs = new List<TaskInput>();
        foreach (var file in files)
        {
            await using var content = File.OpenRead(file);
            inputs.Add(new TaskInput("partials", await _blobs.PutAsync($"inputs/{Path.GetFileName(file)}", content, -1)));
        }
        return inputs.ToArray();
    }

    private RunTask Task(string sql, params TaskInput[] inputs) => Task(StepWork.Sql(sql), inputs);

    /// <summary>Each run is the next attempt: its output is a new blob.</summary>
    private RunTask Task(StepWork work, params TaskInput[] inputs) =>
        new(Process, TaskId.For(Process, "total", 0), ++_attempts, "total", 0, work, inputs, new Dictionary<string, string>(), DateTimeOffset.MaxValue);

    private int _attempts;
}
