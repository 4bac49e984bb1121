using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>Bad input gets a clear one-line error, a non-zero exit, and where a process ran, its history says why.</summary>
public sealed class Bad_input : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _orch;

    public Bad_input()
    {
        _orch = new OrchCli(_dir.Path);
        Directory.CreateDirectory(_dir["in"]);
        for (var part = 0; part < 2; part++)
            DuckDb.Execute($"COPY (SELECT i AS n FROM range(10) t(i)) TO '{_dir[$"in/p-{part}.parquet"]}' (FORMAT parquet)");
    }

    public void Dispose() => _dir.Dispose();

    private Task<OrchCli.Result> Query(string sql, string input = "in/*.parquet", params string[] more) =>
        _orch.RunAsync(["query", "--data", _dir["data"], "--input", input, "--sql", sql, "--out", _dir["out.csv"], .. more]);

    private async Task<string> HistoryOfTheOnlyProcess()
    {
        var log = await File.ReadAllLinesAsync(_dir["data/events/events.log"]);
        var stream = System.Text.Json.JsonDocument.Parse(log[0]).RootElement.GetProperty("s").GetString()!;
        var process = Orchestration.Runtime.ProcessStreams.ProcessOf(stream)!.Value.Value;
        var history = await _orch.RunAsync("history", process, "--data", _dir["data"]);
        history.ExitCode.Should().Be(0, history.ToString());
        return history.Output;
    }

    [Fact]
    public async Task Invalid_sql_fails_the_process_with_the_parser_error()
    {
        var run = await Query("SELEC n FROM input");

        run.ExitCode.Should().Be(1);
        run.Error.Should().StartWith("orch: process query-").And.Contain("failed and cannot be retried").And.Contain("syntax error at or near \"SELEC\"");
        run.Error.TrimEnd().Should().NotContain("\n", "a user-facing error is one line");
        (await HistoryOfTheOnlyProcess()).Should().Contain("Process query-").And.Contain("failed: step 'map' failed").And.Contain("syntax error at or near \"SELEC\"");
    }

    [Fact]
    public async Task A_corrupt_parquet_file_fails_the_process_naming_the_file()
    {
        await File.WriteAllTextAsync(_dir["in/broken.parquet"], "this is not parquet");

        var run = await Query("SELECT count(*) FROM input");

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain("broken.parquet").And.Contain("cannot be retried");
        (await HistoryOfTheOnlyProcess()).Should().Contain("broken.parquet").And.Contain("failed: step 'map' failed");
    }

    [Fact]
    public async Task Sql_that_reads_outside_its_inputs_fails_the_process_as_a_sandbox_violation()
    {
        var run = await Query("SELECT * FROM read_csv('/etc/passwd')");

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain("denied by the sandbox").And.Contain("/etc/passwd").And.Contain("cannot be retried");
        (await HistoryOfTheOnlyProcess()).Should().Contain("/etc/passwd");
    }

    [Fact]
    public async Task A_missing_side_table_file_is_refused_before_anything_runs()
    {
        var run = await Query("SELECT * FROM input", "in/*.parquet", "--with", "dim=missing.csv");

        run.ExitCode.Should().NotBe(0);
        run.Error.Trim().Should().Be("orch: Input file 'missing.csv' does not exist.");
    }

    [Fact]
    public async Task An_empty_glob_is_refused_with_the_pattern_named()
    {
        var run = await Query("SELECT * FROM input", "nothing-here/*.parquet");

        run.ExitCode.Should().Be(2);
        run.Error.Trim().Should().Be("orch: --input 'nothing-here/*.parquet' matches no file. Check the path and the pattern (e.g. 'data/*.parquet').");
    }

    [Fact]
    public async Task An_unknown_graph_is_refused_with_the_known_ones_listed()
    {
        var run = await _orch.RunAsync("run", "no-such-graph", "--data", _dir["data"]);

        run.ExitCode.Should().Be(2);
        run.Error.Trim().Should().Be("orch: Unknown graph 'no-such-graph'. Known graphs: 'revenue-by-country-brand' v1, 'sales-by-day' v1, 'refund-report' v1.");
    }

    [Fact]
    public async Task An_unknown_option_is_refused_with_a_pointer_to_help()
    {
        var run = await _orch.RunAsync("query", "--bogus", "x");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("orch: Unrecognized command or argument '--bogus'").And.Contain("run 'orch --help' for the commands");
    }

    [Fact]
    public async Task Describing_an_unknown_process_lists_the_known_ones()
    {
        await Query("SELECT count(*) AS n FROM input");

        var run = await _orch.RunAsync("describe", "nope", "--data", _dir["data"]);

        run.ExitCode.Should().Be(2);
        run.Error.Should().StartWith("orch: No process 'nope' in this data directory. Known: query-");
    }

    [Theory]
    [InlineData("--attempts", "0", "orch: --attempts must be between 1 and 100 (got 0).")]
    [InlineData("--task-timeout", "-5", "orch: --task-timeout must be a number of seconds above 0 and at most 604800 (got -5).")]
    [InlineData("--queue-timeout", "0", "orch: --queue-timeout must be a number of seconds above 0 and at most 604800 (got 0).")]
    public async Task Invalid_retry_parameters_are_refused_before_a_process_starts(string option, string value, string error)
    {
        var run = await Query("SELECT * FROM input", "in/*.parquet", option, value);

        run.ExitCode.Should().Be(2);
        run.Error.Trim().Should().Be(error);
        File.Exists(_dir["data/events/events.log"]).Should().BeFalse("nothing was recorded for a refused query");
    }

    [Fact]
    public async Task A_data_directory_written_by_the_older_version_is_refused_and_left_as_it_was()
    {
        // Version 0.1.0 named a process's stream by the bare process id.
        using (var old = new Orchestration.Adapters.Embedded.FileEventStore(_dir["data/events"]))
            await old.AppendAsync([new Orchestration.Ports.StreamAppend("query-old", 0, Orchestration.Tests.Adapters.TestEvents.Started("query-old"))]);
        var before = await File.ReadAllBytesAsync(_dir["data/events/events.log"]);

        var status = await _orch.RunAsync("status", "--data", _dir["data"]);
        var query = await Query("SELECT count(*) AS n FROM input");

        foreach (var run in new[] { status, query })
        {
            run.ExitCode.Should().NotBe(0);
            run.Error.Should().Contain("was written by an older version of the engine (its stream 'query-old' has no 'process-' or 'schedule-' namespace)")
                .And.Contain("point this one at a new store");
        }
        (await File.ReadAllBytesAsync(_dir["data/events/events.log"])).Should().Equal(before, "nothing is lost or rewritten");
    }
}
