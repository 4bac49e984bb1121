using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.LocalData;
using Orchestration.DataProcessing.Workers;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

/// <summary>
/// A worker reads <c>local://</c> inputs in place, from its allow-listed roots only. Each escape attempt below would
/// read the file in <c>secret/</c> if its check were removed; each must fail the task for good, saying why.
/// </summary>
public sealed class A_local_input_stays_inside_its_root : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SandboxPool _sandboxes;
    private readonly TaskRunner _runner;
    private static readonly ProcessId Process = ProcessId.From("p-local");

    public A_local_input_stays_inside_its_root()
    {
        Directory.CreateDirectory(_dir["pos/2026"]);
        Directory.CreateDirectory(_dir["secret"]);
        File.WriteAllText(_dir["pos/a.csv"], "store,amount\na,1\nb,2\n");
        File.WriteAllText(_dir["pos/b.csv"], "store,amount\na,3\n");
        File.WriteAllText(_dir["pos/2026/c.csv"], "store,amount\nc,10\n");
        File.WriteAllText(_dir["secret/s.csv"], "store,amount\nsecret,1000000\n");
        _sandboxes = new SandboxPool(_dir["scratch"], 1);
        _runner = new TaskRunner(new LocalBlobStore(_dir["blobs"]), _sandboxes, new CodeStepRegistry(), WorkerId.From("worker-a"),
            LocalRoots.From([KeyValuePair.Create("sales", _dir["pos"])]));
    }

    public void Dispose()
    {
        _sandboxes.Dispose();
        _dir.Dispose();
    }

    private Task<TaskOutcome> Sum(string localUri) =>
        _runner.RunAsync(new RunTask(Process, TaskId.For(Process, "map", 0), 1, "map", 0,
            StepWork.Sql("SELECT count(*)::BIGINT AS n, sum(amount)::BIGINT AS total FROM input"),
            [new TaskInput("input", new BlobRef(new Uri(localUri), "", -1, -1))], new Dictionary<string, string>(), DateTimeOffset.MaxValue), CancellationToken.None);

    private static TaskFailed Refused(TaskOutcome outcome)
    {
        outcome.Completed.Should().BeNull("the step must not see data outside the root");
        outcome.Failed!.Retryable.Should().BeFalse("another attempt would be refused the same way");
        return outcome.Failed;
    }

    [Fact]
    public async Task A_glob_in_an_allowed_root_is_read_in_place_and_only_the_output_moves()
    {
        var outcome = await Sum("local://sales/**/*.csv");

        var completed = outcome.Completed ?? throw new Xunit.Sdk.XunitException(outcome.Failed!.Error);
        completed.Outputs.Should().ContainSingle().Which.Rows.Should().Be(1);
        var scanned = new[] { "pos/a.csv", "pos/b.csv", "pos/2026/c.csv" }.Sum(f => new FileInfo(_dir[f]).Length);
        completed.Metrics.LocalBytesScanned.Should().Be(scanned);
        completed.Metrics.BytesRead.Should().Be(0, "nothing came from the blob store");
        completed.Metrics.BytesMoved.Should().Be(completed.Outputs[0].Size);
        File.ReadAllText(_dir["pos/a.csv"]).Should().Be("store,amount\na,1\nb,2\n", "the task's clean-up leaves the worker's files alone");
    }

    [Fact]
    public async Task A_root_the_worker_does_not_allow_fails_naming_the_allowed_roots()
    {
        var failed = Refused(await Sum("local://secret/*.csv"));

        failed.Error.Should().StartWith("Local root 'secret' is not allowed on this worker; it allows 'sales'.");
    }

    [Fact]
    public async Task A_glob_climbing_out_with_dot_dot_is_refused()
    {
        var failed = Refused(await Sum("local://sales/../secret/*.csv"));

        failed.Error.Should().Be("Local input 'local://sales/../secret/*.csv' is refused: the glob '../secret/*.csv' under local root 'sales' may not climb out of it with '..'.");
    }

    [Fact]
    public async Task A_glob_climbing_out_from_a_subfolder_is_refused()
    {
        var failed = Refused(await Sum("local://sales/2026/../../secret/s.csv"));

        failed.Error.Should().Contain("may not climb out of it with '..'");
    }

    [Fact]
    public async Task An_absolute_glob_is_refused()
    {
        var failed = Refused(await Sum("local://sales/" + _dir["secret/s.csv"]));

        failed.Error.Should().Contain("must be a relative path with '/' separators, not an absolute one");
    }

    [Fact]
    public async Task A_symlinked_file_leading_out_of_the_root_is_refused()
    {
        File.CreateSymbolicLink(_dir["pos/leak.csv"], _dir["secret/s.csv"]);

        var failed = Refused(await Sum("local://sales/*.csv"));

        failed.Error.Should().Be($"Local file 'local://sales/leak.csv' is refused: a symbolic link leads to '{_dir["secret/s.csv"]}', outside local root 'sales'.");
    }

    [Fact]
    public async Task A_symlinked_folder_leading_out_of_the_root_is_refused()
    {
        Directory.CreateSymbolicLink(_dir["pos/elsewhere"], "../secret");

        var failed = Refused(await Sum("local://sales/elsewhere/*.csv"));

        failed.Error.Should().Contain("a symbolic link leads to").And.Contain("outside local root 'sales'");
    }

    [Fact]
    public async Task A_symlink_that_stays_inside_the_root_is_followed()
    {
        Directory.CreateDirectory(_dir["pos/latest"]);
        File.CreateSymbolicLink(_dir["pos/latest/today.csv"], "../2026/c.csv");

        var outcome = await Sum("local://sales/latest/*.csv");

        outcome.Completed.Should().NotBeNull(outcome.Failed?.Error);
        outcome.Completed!.Metrics.LocalBytesScanned.Should().Be(new FileInfo(_dir["pos/2026/c.csv"]).Length);
    }

    [Fact]
    public async Task A_glob_that_matches_nothing_fails_rather_than_returning_an_empty_answer()
    {
        var failed = Refused(await Sum("local://sales/*.parquet"));

        failed.Error.Should().Be("Local input 'local://sales/*.parquet' matches no file under local root 'sales' on this worker.");
    }

    [Theory]
    [InlineData("sales", "A local root is given as name=/path, not 'sales'.")]
    [InlineData("9lives=/tmp", "Local root name '9lives' must be 1-64 letters, digits, '_' or '-', starting with a letter.")]
    [InlineData("sales=/no/such/directory", "Local root 'sales': the directory '/no/such/directory' does not exist.")]
    public void The_allow_list_refuses_a_bad_entry_in_one_line(string option, string message)
    {
        var refused = Assert.Throws<ArgumentException>(() => LocalRoots.Parse([option]));

        refused.Message.Should().Be(message);
    }
}
