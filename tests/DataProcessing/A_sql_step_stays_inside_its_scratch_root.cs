using FluentAssertions;
using Orchestration.DataProcessing.Sql;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

public sealed class A_sql_step_stays_inside_its_scratch_root : IDisposable
{
    private readonly ScratchArea _area = new();
    private readonly string _task;
    private readonly string _output;

    public A_sql_step_stays_inside_its_scratch_root()
    {
        _task = _area.Sandbox.TaskDirectory("p-1/security/0");
        _output = Path.Join(_task, "out.parquet");
    }

    [Fact]
    public void Reading_etc_passwd_is_denied_by_duckdb() =>
        Refused("SELECT * FROM read_csv('/etc/passwd')")
            .WithMessage("The step SQL was denied by the sandbox*Permission Error: Cannot access file \"/etc/passwd\" - file system operations are disabled by configuration*");

    [Fact]
    public void Reading_a_file_in_a_sibling_folder_of_the_root_is_denied()
    {
        var secret = Path.Join(_area.Sibling, "secret.csv");
        File.WriteAllText(secret, "password\nhunter2\n");

        Refused($"SELECT * FROM read_csv('{secret}')").WithMessage($"*Permission Error: Cannot access file \"{secret}\"*");
    }

    [Fact]
    public void Globbing_outside_the_root_is_denied() =>
        Refused("SELECT * FROM glob('/etc/*')").WithMessage("*Permission Error*");

    [Fact]
    public void A_symlink_read_straight_from_the_sql_is_denied_by_duckdb()
    {
        File.WriteAllText(Path.Join(_area.Sibling, "secret.csv"), "password\nhunter2\n");
        var link = Path.Join(_task, "innocent.csv");
        File.CreateSymbolicLink(link, Path.Join(_area.Sibling, "secret.csv"));

        Refused($"SELECT * FROM read_csv('{link}')").WithMessage("*Permission Error: Cannot access file*");
    }

    [Fact]
    public void A_copy_smuggled_through_the_query_function_is_refused_by_duckdb() =>
        Refused("SELECT * FROM query('COPY (SELECT 1) TO ''/tmp/x.csv''')").WithMessage("*Expected a single SELECT statement*");

    [Theory]
    [InlineData("COPY (SELECT 1) TO '/tmp/x.csv'", "'COPY' is not allowed")]
    [InlineData("INSTALL httpfs", "'INSTALL' is not allowed")]
    [InlineData("LOAD httpfs", "'LOAD' is not allowed")]
    [InlineData("SET enable_external_access=true", "'SET' is not allowed")]
    [InlineData("ATTACH '/tmp/other.db'", "'ATTACH' is not allowed")]
    [InlineData("PRAGMA enable_profiling", "'PRAGMA' is not allowed")]
    [InlineData("CREATE TABLE t AS SELECT 1", "'CREATE' is not allowed")]
    [InlineData("SELECT 1; SELECT 2", "holds 2 statements: exactly one SELECT query is allowed")]
    [InlineData("SELECT 1; COPY (SELECT 2) TO '/tmp/x.csv'", "one of its statements is not a SELECT query")]
    public void Anything_but_one_select_is_refused_before_it_runs(string sql, string why) =>
        Refused(sql).WithMessage($"The step SQL *{why}*");

    [Fact]
    public void An_input_path_that_climbs_out_with_dot_dot_is_refused()
    {
        File.WriteAllText(Path.Join(_area.Sibling, "secret.csv"), "a\n1\n");
        var climbing = Path.Join(_task, "..", "..", "sibling", "secret.csv");

        Refused("SELECT * FROM input", new SqlInput("input", climbing))
            .WithMessage($"The input path '{climbing}' is refused: its '..' leads to '*/sibling/secret.csv', outside the scratch root '{_area.Sandbox.ScratchRoot}'.");
    }

    [Fact]
    public void A_symlink_input_pointing_outside_the_root_is_refused()
    {
        File.WriteAllText(Path.Join(_area.Sibling, "secret.csv"), "a\n1\n");
        var link = Path.Join(_task, "input.csv");
        File.CreateSymbolicLink(link, Path.Join(_area.Sibling, "secret.csv"));

        Refused("SELECT * FROM input", new SqlInput("input", link))
            .WithMessage($"The input path '{link}' is refused: a symbolic link on the way leads to '*/sibling/secret.csv', outside the scratch root*");
    }

    [Fact]
    public void A_folder_symlink_followed_by_dot_dot_cannot_step_out()
    {
        // root/task/hop -> sibling/deeper, so root/task/hop/../secret.csv is sibling/secret.csv to the OS, though it reads as root/task/secret.csv.
        File.WriteAllText(Path.Join(_area.Sibling, "secret.csv"), "a\n1\n");
        Directory.CreateDirectory(Path.Join(_area.Sibling, "deeper"));
        Directory.CreateSymbolicLink(Path.Join(_task, "hop"), Path.Join(_area.Sibling, "deeper"));

        Refused("SELECT * FROM input", new SqlInput("input", Path.Join(_task, "hop", "..", "secret.csv")))
            .WithMessage("*refused: a symbolic link on the way leads to '*/sibling/secret.csv'*");
    }

    [Fact]
    public void An_output_outside_the_root_is_refused()
    {
        var outside = Path.Join(_area.Sibling, "out.parquet");

        var act = () => _area.Sandbox.Run(ScratchArea.Request("SELECT 1", outside));

        act.Should().Throw<StepFailure>().Where(f => !f.Retryable).WithMessage($"The output path '{outside}' is refused: it lies outside the scratch root*");
        File.Exists(outside).Should().BeFalse();
    }

    [Fact]
    public void The_lockdown_is_in_force_in_every_run()
    {
        var output = Path.Join(_task, "settings.csv");
        var sql = """
            SELECT current_setting('enable_external_access') AS external_access, current_setting('lock_configuration') AS locked,
                   current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall,
                   current_setting('threads') AS threads
            """;

        _area.Sandbox.Run(ScratchArea.Request(sql, output) with { Format = OutputFormat.Csv });

        File.ReadAllLines(output).Should().Equal("external_access,locked,autoload,autoinstall,threads", "false,true,false,false,1");
    }

    public void Dispose() => _area.Dispose();

    private FluentAssertions.Specialized.ExceptionAssertions<StepFailure> Refused(string sql, params SqlInput[] inputs)
    {
        var act = () => _area.Sandbox.Run(ScratchArea.Request(sql, _output, inputs));
        return act.Should().Throw<StepFailure>().Where(f => !f.Retryable, "a forbidden step fails the same way on every attempt");
    }
}
