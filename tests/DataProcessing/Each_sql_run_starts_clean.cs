using FluentAssertions;
using Orchestration.DataProcessing.Sql;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

public sealed class Each_sql_run_starts_clean : IDisposable
{
    private readonly ScratchArea _area = new();

    [Fact]
    public void A_view_of_one_run_is_not_visible_to_the_next()
    {
        var task = _area.Sandbox.TaskDirectory("p-1/first/0");
        File.WriteAllText(Path.Join(task, "private.csv"), "secret\n42\n");
        _area.Sandbox.Run(ScratchArea.Request("SELECT * FROM private_rows", Path.Join(task, "out.parquet"), new SqlInput("private_rows", Path.Join(task, "private.csv"))));

        var next = () => _area.Sandbox.Run(ScratchArea.Request("SELECT * FROM private_rows", Path.Join(task, "next.parquet")));

        next.Should().Throw<StepFailure>().Where(f => !f.Retryable).WithMessage("The step SQL failed: Catalog Error: Table with name private_rows does not exist*");
    }

    [Fact]
    public void A_parameter_of_one_run_is_not_visible_to_the_next()
    {
        var task = _area.Sandbox.TaskDirectory("p-1/params/0");
        _area.Sandbox.Run(ScratchArea.Request("SELECT getvariable('token') AS token", Path.Join(task, "first.csv")) with
        {
            Format = OutputFormat.Csv,
            Parameters = new Dictionary<string, string> { ["token"] = "s3cret" },
        });

        _area.Sandbox.Run(ScratchArea.Request("SELECT getvariable('token') AS token", Path.Join(task, "next.csv")) with { Format = OutputFormat.Csv });

        File.ReadAllLines(Path.Join(task, "first.csv")).Should().Equal("token", "s3cret");
        File.ReadAllLines(Path.Join(task, "next.csv")).Should().Equal("token", "");
    }

    [Fact]
    public void Two_sandboxes_in_one_process_keep_their_own_roots()
    {
        using var other = new ScratchArea();
        var theirs = other.Sandbox.TaskDirectory("p-2/map/0");
        File.WriteAllText(Path.Join(theirs, "data.csv"), "a\n1\n");
        var ours = _area.Sandbox.TaskDirectory("p-1/map/0");

        var act = () => _area.Sandbox.Run(ScratchArea.Request($"SELECT * FROM read_csv('{Path.Join(theirs, "data.csv")}')", Path.Join(ours, "out.parquet")));

        act.Should().Throw<StepFailure>().WithMessage("*Permission Error*");
    }

    [Fact]
    public void A_task_directory_is_a_fresh_folder_under_the_root_whatever_the_key()
    {
        var first = _area.Sandbox.TaskDirectory("../../etc/passwd");
        File.WriteAllText(Path.Join(first, "leftover.csv"), "a\n");

        var again = _area.Sandbox.TaskDirectory("../../etc/passwd");

        again.Should().Be(first).And.StartWith(_area.Sandbox.ScratchRoot + Path.DirectorySeparatorChar);
        Path.GetFileName(again).Should().MatchRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]*-[0-9a-f]{8}$");
        Directory.EnumerateFileSystemEntries(again).Should().BeEmpty("a retried attempt starts without the files of the last one");
        _area.Sandbox.TaskDirectory("a/b").Should().NotBe(_area.Sandbox.TaskDirectory("a_b"));
    }

    [Fact]
    public void Cleaning_a_task_deletes_its_folder()
    {
        var task = _area.Sandbox.TaskDirectory("p-1/reduce/0");
        File.WriteAllText(Path.Join(task, "part.csv"), "a\n1\n");

        _area.Sandbox.CleanTask("p-1/reduce/0");

        Directory.Exists(task).Should().BeFalse();
    }

    public void Dispose() => _area.Dispose();
}
