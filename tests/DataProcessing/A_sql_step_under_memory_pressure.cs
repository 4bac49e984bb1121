using FluentAssertions;
using Orchestration.DataProcessing.Sql;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

public sealed class A_sql_step_under_memory_pressure : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("sql-sandbox-memory-").FullName;
    private readonly SqlSandbox _sandbox;
    private readonly string _task;

    public A_sql_step_under_memory_pressure()
    {
        _sandbox = new SqlSandbox(Path.Join(_base, "scratch"), new SandboxOptions(MemoryLimit: "32MB"));
        _task = _sandbox.TaskDirectory("p-1/big/0");
    }

    [Fact]
    public void A_sort_larger_than_memory_spills_inside_the_root_and_succeeds()
    {
        var result = _sandbox.Run(ScratchArea.Request(
            "SELECT range AS id, md5(range::VARCHAR) AS digest FROM range(1000000) ORDER BY digest", Path.Join(_task, "sorted.parquet")));

        result.Rows.Should().Be(1_000_000);
    }

    [Fact]
    public void Running_out_of_memory_is_retryable()
    {
        // A list aggregate cannot spill, so it must hit the limit.
        var act = () => _sandbox.Run(ScratchArea.Request(
            "SELECT list(md5(range::VARCHAR)) AS everything FROM range(5000000)", Path.Join(_task, "huge.parquet")));

        act.Should().Throw<StepFailure>().Where(f => f.Retryable, "another attempt, maybe on a roomier worker, can pass")
            .WithMessage("The step SQL failed for a reason another attempt may not meet: Out of Memory Error*");
    }

    public void Dispose()
    {
        _sandbox.Dispose();
        Directory.Delete(_base, recursive: true);
    }
}
