using FluentAssertions;
using Orchestration.DataProcessing.Sql;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

public sealed class A_failing_sql_step_says_why : IDisposable
{
    private readonly ScratchArea _area = new();
    private readonly string _task;

    public A_failing_sql_step_says_why() => _task = _area.Sandbox.TaskDirectory("p-1/failing/0");

    [Fact]
    public void A_missing_input_file_is_named()
    {
        var missing = Path.Join(_task, "nowhere.parquet");

        Run("SELECT * FROM input", new SqlInput("input", missing))
            .Where(f => !f.Retryable).WithMessage($"Input file '{missing}' does not exist.");
    }

    [Fact]
    public void A_corrupt_parquet_input_is_named_and_not_retried()
    {
        var corrupt = Path.Join(_task, "corrupt.parquet");
        File.WriteAllText(corrupt, "PAR1 this is not a parquet file PAR1");

        Run("SELECT * FROM input", new SqlInput("input", corrupt))
            .Where(f => !f.Retryable).WithMessage($"The input view 'input' over '{corrupt}' failed: *{corrupt}*");
    }

    [Fact]
    public void A_binder_error_carries_duckdbs_text()
    {
        Run("SELECT no_such_column FROM range(3)")
            .Where(f => !f.Retryable).WithMessage("The step SQL failed: Binder Error: Referenced column \"no_such_column\" not found*");
    }

    [Fact]
    public void A_syntax_error_carries_duckdbs_text()
    {
        Run("SELEC 1").Where(f => !f.Retryable).WithMessage("The step SQL does not parse: Parser Error: syntax error at or near \"SELEC\"");
    }

    [Fact]
    public void A_reference_to_a_missing_file_inside_the_root_is_not_retried()
    {
        Run($"SELECT * FROM read_parquet('{Path.Join(_task, "ghost.parquet")}')")
            .Where(f => !f.Retryable).WithMessage("The step SQL failed: IO Error: No files found*");
    }

    [Fact]
    public void An_input_of_unknown_format_is_refused()
    {
        var odd = Path.Join(_task, "data.xlsx");
        File.WriteAllText(odd, "not a table");

        Run("SELECT * FROM input", new SqlInput("input", odd)).Where(f => !f.Retryable).WithMessage($"Input file '{odd}' has no known format*");
    }

    [Fact]
    public void An_empty_view_name_is_refused()
    {
        var file = Path.Join(_task, "a.csv");
        File.WriteAllText(file, "a\n1\n");

        Run("SELECT 1", new SqlInput(" ", file)).Where(f => !f.Retryable).WithMessage("Input view name ' ' is empty.");
    }

    [Fact]
    public void A_cancelled_run_stops_its_query()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var endless = ScratchArea.Request("SELECT sum(hash(range)) FROM range(1000000000000)", Path.Join(_task, "out.parquet"));

        var act = () => _area.Sandbox.Run(endless, deadline.Token);

        act.Should().Throw<OperationCanceledException>();
        _area.Sandbox.Run(ScratchArea.Request("SELECT 1", Path.Join(_task, "after.parquet"))).Rows.Should().Be(1, "the sandbox outlives a cancelled run");
    }

    public void Dispose() => _area.Dispose();

    private FluentAssertions.Specialized.ExceptionAssertions<StepFailure> Run(string sql, params SqlInput[] inputs)
    {
        var act = () => _area.Sandbox.Run(ScratchArea.Request(sql, Path.Join(_task, "out.parquet"), inputs));
        return act.Should().Throw<StepFailure>();
    }
}
