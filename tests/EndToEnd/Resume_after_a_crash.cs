using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

public sealed class Resume_after_a_crash : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Killing_a_query_mid_run_and_running_it_again_resumes_the_process_instead_of_starting_over()
    {
        Directory.CreateDirectory(_dir["parts"]);
        for (var part = 0; part < 24; part++)
            DuckDb.Execute($"COPY (SELECT i AS n, {part} AS part FROM range(1000) t(i)) TO '{_dir[$"parts/p-{part:00}.parquet"]}' (FORMAT parquet)");
        // Each task does enough work (a sort over a cross join) that the run lasts a few seconds on one worker.
        string[] args = ["query", "--data", _dir["data"], "--input", "parts/*.parquet", "--workers", "1",
            "--sql", "SELECT part, count(*) AS n FROM (SELECT part, x.range AS r FROM input, range(3000) x ORDER BY r DESC, n) GROUP BY part",
            "--merge", "SELECT sum(n) AS n, count(*) AS parts FROM partials", "--out", _dir["out.csv"]];
        var orch = new OrchCli(_dir.Path);
        var log = _dir["data/events/events.log"];

        using (var first = orch.Start(args))
        {
            await Eventually.True(() => Count(log, "\"t\":\"task-confirmed.v1\"") >= 4, TimeSpan.FromMinutes(2), "four tasks confirmed before the kill");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var confirmedBeforeKill = Count(log, "\"t\":\"task-confirmed.v1\"");

        var wall = System.Diagnostics.Stopwatch.StartNew();
        var second = await orch.RunAsync(args);
        wall.Stop();

        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().Contain($"({confirmedBeforeKill} task(s) already done)", "only what was confirmed before the second run started was done");
        var took = double.Parse(System.Text.RegularExpressions.Regex.Match(second.Output, @"completed in ([\d.]+) s").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        took.Should().BeGreaterThan(0.0).And.BeLessThanOrEqualTo(wall.Elapsed.TotalSeconds + 0.1, "the resumed run is timed from its own start");
        DuckDb.CsvRows(_dir["out.csv"]).Should().Equal("72000000 | 24");
        Count(log, "\"t\":\"process-started.v1\"").Should().Be(1, "the second run continues the same process");
        Count(log, "\"t\":\"task-confirmed.v1\"").Should().Be(25, "each of the 24 map tasks and the merge is confirmed exactly once");
        confirmedBeforeKill.Should().BeLessThan(24, "the kill came mid-run");
    }

    private static int Count(string path, string text)
    {
        if (!File.Exists(path)) return 0;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var count = 0;
        while (reader.ReadLine() is { } line) count += line.Contains(text, StringComparison.Ordinal) ? 1 : 0;
        return count;
    }
}
