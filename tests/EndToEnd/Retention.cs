using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Retention on the embedded engine, through the CLI: <c>orch prune</c> removes an ended process's events and the blobs
/// nothing else uses (its inputs, its map outputs, outputs of attempts never confirmed) while its final output stays;
/// <c>history</c> and <c>describe</c> then read it from its archive; a re-run of the same query starts afresh; a damaged
/// archive and bad arguments are clear errors that delete nothing.
/// </summary>
public sealed class Retention : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _orch;

    public Retention() => _orch = new OrchCli(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private const string PartSql = "SELECT part, sum(n)::BIGINT AS total FROM input GROUP BY part";
    private const string MergeSql = "SELECT count(*) AS parts, sum(total)::BIGINT AS total FROM partials";

    private void WriteParts(int parts, int salt = 0)
    {
        Directory.CreateDirectory(_dir["parts"]);
        for (var part = 0; part < parts; part++)
            DuckDb.Execute($"COPY (SELECT {part} AS part, i + {salt} AS n FROM range(100) t(i)) TO '{_dir[$"parts/p-{part}.csv"]}' (HEADER)");
    }

    private Task<OrchCli.Result> QueryAsync(string output = "out.csv") =>
        _orch.RunAsync("query", "--data", _dir["data"], "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", _dir[output]);

    private static string ProcessOf(OrchCli.Result run) => Regex.Match(run.Output, @"(query-[0-9a-f]+)").Groups[1].Value;

    private string[] Blobs(string folder) =>
        Directory.Exists(_dir[$"data/blobs/{folder}"]) ? Directory.GetFiles(_dir[$"data/blobs/{folder}"], "*", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task A_prune_removes_an_ended_process_events_and_intermediate_blobs_while_history_reads_it_from_the_archive()
    {
        WriteParts(4);
        var run = await QueryAsync();
        run.ExitCode.Should().Be(0, run.ToString());
        var process = ProcessOf(run);
        var expected = DuckDb.CsvRows(_dir["out.csv"]);
        Blobs($"tasks/{process}/map").Should().HaveCount(4);
        Blobs("inputs").Should().HaveCount(4);
        var before = await _orch.RunAsync("history", process, "--data", _dir["data"]);
        var dryRun = await _orch.RunAsync("prune", "--ended-before", "0s", "--dry-run", "--data", _dir["data"]);
        dryRun.ExitCode.Should().Be(0, dryRun.ToString());
        dryRun.Output.Should().Contain("would prune 1 process(es)").And.Contain("8 blob(s) to delete");
        Blobs($"tasks/{process}/map").Should().HaveCount(4, "a dry run deletes nothing");
        Blobs("archive").Should().BeEmpty("a dry run writes nothing");

        var pruned = await _orch.RunAsync("prune", "--ended-before", "0s", "--data", _dir["data"]);

        pruned.ExitCode.Should().Be(0, pruned.ToString());
        pruned.Output.Should().MatchRegex(@"pruned 1 process\(es\): \d+ event\(s\) removed, 8 blob\(s\) deleted \([\d.]+ [k]?B\), 1 kept");
        pruned.Output.Should().Contain($"{process}: history archived to archive/processes/{process}/");
        File.ReadAllText(_dir["data/events/events.log"]).Should().NotContain($"\"s\":\"process-{process}\"", "the process's events left the store");
        Blobs($"tasks/{process}/map").Should().BeEmpty("nothing else uses the map outputs");
        Blobs("inputs").Should().BeEmpty("no live process reads the inputs");
        Blobs($"tasks/{process}/merge").Should().HaveCount(1, "the final output is kept");
        Blobs($"archive/processes/{process}").Should().HaveCount(1);
        (await _orch.RunAsync("status", "--data", _dir["data"])).Output.Should().NotContain(process);

        var history = await _orch.RunAsync("history", process, "--data", _dir["data"]);
        history.ExitCode.Should().Be(0, history.ToString());
        history.Output.Should().Contain("(pruned: read from the archive archive/processes/");
        history.Output.Should().Contain(before.Output.Trim(), "the archive holds every event as it was recorded");
        history.Output.Should().Contain($"Process {process} archived: pruned from the command line");
        var described = await _orch.RunAsync("describe", process, "--data", _dir["data"]);
        described.ExitCode.Should().Be(0, described.ToString());
        described.Output.Should().Contain($"process {process} of graph 'query' v1: completed");

        var again = await QueryAsync("again.csv");
        again.ExitCode.Should().Be(0, again.ToString());
        again.Output.Should().Contain("5 task(s), 1 reused", "the map outputs are gone, so their cache entries were dropped; the merge's kept output is reused");
        DuckDb.CsvRows(_dir["again.csv"]).Should().Equal(expected);
    }

    [Fact]
    public async Task Keep_last_keeps_the_newest_ended_processes_of_each_graph_and_their_blobs()
    {
        WriteParts(2);
        var first = await QueryAsync();
        WriteParts(2, salt: 1);
        var second = await QueryAsync();
        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());

        var pruned = await _orch.RunAsync("prune", "--keep-last", "1", "--data", _dir["data"]);

        pruned.ExitCode.Should().Be(0, pruned.ToString());
        pruned.Output.Should().Contain($"pruned 1 process(es)").And.Contain($"{ProcessOf(first)}: history archived");
        var status = await _orch.RunAsync("status", "--data", _dir["data"]);
        status.Output.Should().Contain(ProcessOf(second)).And.NotContain(ProcessOf(first));
        Blobs($"tasks/{ProcessOf(second)}/map").Should().HaveCount(2);
        Blobs("inputs").Should().HaveCount(2, "the kept process's inputs stay; the pruned one's are deleted");
    }

    [Fact]
    public async Task A_damaged_archive_is_a_clear_error()
    {
        WriteParts(2);
        var run = await QueryAsync();
        run.ExitCode.Should().Be(0, run.ToString());
        (await _orch.RunAsync("prune", ProcessOf(run), "--data", _dir["data"])).ExitCode.Should().Be(0);
        var archive = Blobs($"archive/processes/{ProcessOf(run)}").Single();
        var bytes = File.ReadAllBytes(archive);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(archive, bytes);

        var history = await _orch.RunAsync("history", ProcessOf(run), "--data", _dir["data"]);

        history.ExitCode.Should().Be(1, history.ToString());
        history.Error.Should().Contain($"The archive of process {ProcessOf(run)}").And.Contain("is damaged").And.Contain("nothing was changed");
        File.Exists(archive).Should().BeTrue();
    }

    [Fact]
    public async Task Bad_arguments_are_refused_and_delete_nothing()
    {
        WriteParts(2);
        var run = await QueryAsync();
        run.ExitCode.Should().Be(0, run.ToString());
        var blobs = Blobs("").Length;

        var unparsable = await _orch.RunAsync("prune", "--ended-before", "last tuesday", "--data", _dir["data"]);
        var nothingSaid = await _orch.RunAsync("prune", "--data", _dir["data"]);
        var unknown = await _orch.RunAsync("prune", "query-nope", "--data", _dir["data"]);

        unparsable.ExitCode.Should().Be(2);
        unparsable.Error.Should().Contain("'last tuesday' is neither an age (e.g. 7d, 12h, 1d12h, 30m, 0s) nor a time").And.Contain("Nothing was deleted");
        nothingSaid.ExitCode.Should().Be(2);
        nothingSaid.Error.Should().Contain("Say which processes to prune");
        unknown.ExitCode.Should().Be(2);
        unknown.Error.Should().Contain("There is no process 'query-nope'").And.Contain("Nothing was deleted");
        Blobs("").Should().HaveCount(blobs);
        (await _orch.RunAsync("status", "--data", _dir["data"])).Output.Should().Contain(ProcessOf(run));
    }
}
