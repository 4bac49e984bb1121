using System.Text;
using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Workers;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Workers;

/// <summary>A worker running one task: inputs fetched from the blob store, DuckDB in its sandbox, outputs written once.</summary>
public sealed class Task_runner : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LocalBlobStore _blobs;
    private readonly SandboxPool _sandboxes;
    private readonly TaskRunner _runner;
    private static readonly ProcessId Process = ProcessId.From("p-runner");

    public Task_runner()
    {
        _blobs = new LocalBlobStore(_dir["blobs"]);
        _sandboxes = new SandboxPool(_dir["scratch"], 1);
        _runner = new TaskRunner(_blobs, _sandboxes, new CodeStepRegistry().Add(new NoOpStep()), WorkerId.From("worker-a"));
    }

    public void Dispose()
    {
        _sandboxes.Dispose();
        _dir.Dispose();
    }

    private async Task<BlobRef> Csv(string name, string text) => await _blobs.PutAsync($"inputs/{name}", new MemoryStream(Encoding.UTF8.GetBytes(text)), -1);

    private static RunTask Task(StepWork work, params TaskInput[] inputs) =>
        new(Process, TaskId.For(Process, "map", 4), 2, "map", 4, work, inputs, new Dictionary<string, string> { ["partition"] = "4" }, DateTimeOffset.MaxValue);

    [Fact]
    public async Task A_sql_task_writes_its_result_as_a_blob_named_by_task_and_attempt()
    {
        var input = await Csv("sales.csv", "store,amount\na,1\nb,2\na,3\n");

        var outcome = await _runner.RunAsync(Task(StepWork.Sql("SELECT store, sum(amount)::BIGINT AS total, getvariable('partition') AS p FROM input GROUP BY store ORDER BY store"),
            new TaskInput("input", input)), CancellationToken.None);

        var completed = outcome.Completed ?? throw new Xunit.Sdk.XunitException(outcome.Failed!.Error);
        completed.Outputs.Should().ContainSingle().Which.Uri.Should().Be(new Uri("blob://local/tasks/p-runner/map/4/a2/part-0.parquet"));
        completed.Outputs[0].Rows.Should().Be(2);
        completed.Metadata["rows"].Should().Be("2");
        completed.Metrics.BytesRead.Should().Be(input.Size);
        var local = _dir["out.parquet"];
        await _blobs.DownloadAsync(completed.Outputs[0], local);
        DuckDb.Rows($"SELECT * FROM '{local}'").Should().Equal("a | 4 | 4", "b | 2 | 4");
    }

    [Fact]
    public async Task Running_the_same_attempt_twice_writes_the_same_blob_again_without_conflict()
    {
        var input = await Csv("n.csv", "n\n1\n2\n");
        var task = Task(StepWork.Sql("SELECT sum(n)::BIGINT AS s FROM input"), new TaskInput("input", input));

        var first = await _runner.RunAsync(task, CancellationToken.None);
        var again = await _runner.RunAsync(task, CancellationToken.None);

        again.Completed!.Outputs.Should().Equal(first.Completed!.Outputs);
    }

    /// <summary>A step whose library reports cancellation as an error of its own, as DuckDB does ("INTERRUPT Error").</summary>
    private sealed class InterruptedWhenCancelled : ICodeStep
    {
        public string Name => "interrupted";

        public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
        {
            try { await System.Threading.Tasks.Task.Delay(Timeout.Infinite, cancellationToken); }
            catch (OperationCanceledException) { }
            throw new InvalidOperationException("INTERRUPT Error: Interrupted!");
        }
    }

    [Fact]
    public async Task A_task_interrupted_by_its_cancellation_is_abandoned_not_reported_failed()
    {
        var runner = new TaskRunner(_blobs, _sandboxes, new CodeStepRegistry().Add(new InterruptedWhenCancelled()), WorkerId.From("worker-a"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)); // e.g. the worker lost its broker connection

        var run = () => runner.RunAsync(Task(StepWork.Code("interrupted")), cancel.Token);

        // A TaskFailed here would end the whole process for a fault of the worker's connection, not of the task.
        await run.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_missing_input_blob_fails_the_task_for_good_naming_the_blob()
    {
        var ghost = new BlobRef(new Uri("blob://local/inputs/never-written.csv"), "00", 1, 1);

        var outcome = await _runner.RunAsync(Task(StepWork.Sql("SELECT * FROM input"), new TaskInput("input", ghost)), CancellationToken.None);

        outcome.Failed.Should().NotBeNull();
        outcome.Failed!.Retryable.Should().BeFalse();
        outcome.Failed.Error.Should().Be("Input of step 'map' cannot be used: Blob 'inputs/never-written.csv' is missing from the blob store at "
            + Path.GetFullPath(_dir["blobs"]) + ". Was the data directory cleaned while a process ran?");
    }

    [Fact]
    public async Task An_unregistered_csharp_step_version_fails_the_attempt_retryably_listing_the_registered_ones()
    {
        var outcome = await _runner.RunAsync(Task(StepWork.Code("geocode")), CancellationToken.None);

        outcome.Failed!.Retryable.Should().BeTrue("the next attempt is routed again, to a worker that has the version");
        outcome.Failed.Error.Should().Be("No C# step 'geocode' v1 is registered on this worker. Registered: noop@1.");
    }
}
