using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The inspect commands in an 80-column terminal and in scripts: <c>status</c> and <c>describe</c> print no line wider
/// than the terminal (so no cell is wrapped; ids cut only where they must be, whole with <c>--wide</c>); <c>history</c>
/// prints one line per event; <c>--json</c> gives one document that parses; <c>status</c> filters by graph and status.
/// </summary>
public sealed class Narrow_terminals_and_scripts : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _narrow;

    public Narrow_terminals_and_scripts() => _narrow = new OrchCli(_dir.Path, new Dictionary<string, string> { ["COLUMNS"] = "80" });

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Status_describe_and_history_fit_80_columns_and_their_json_parses()
    {
        Directory.CreateDirectory(_dir["parts"]);
        for (var part = 0; part < 3; part++)
            DuckDb.Execute($"COPY (SELECT {part} AS part, i AS n FROM range(10) t(i)) TO '{_dir[$"parts/p-{part}.csv"]}' (HEADER)");
        var ok = await _narrow.RunAsync("query", "--data", _dir["data"], "--input", "parts/*.csv", "--sql", "SELECT part, sum(n) AS total FROM input GROUP BY part",
            "--merge", "SELECT sum(total) AS total FROM partials", "--out", _dir["out.csv"]);
        var failed = await _narrow.RunAsync("query", "--data", _dir["data"], "--input", "parts/*.csv", "--sql", "SELECT no_such_column FROM input", "--out", _dir["bad.csv"]);
        ok.ExitCode.Should().Be(0, ok.ToString());
        failed.ExitCode.Should().Be(1, failed.ToString());
        var (process, broken) = (Regex.Match(ok.Output, @"(query-[0-9a-f]+)").Groups[1].Value, Regex.Match(failed.Output, @"(query-[0-9a-f]+)").Groups[1].Value);

        var status = await _narrow.RunAsync("status", "--data", _dir["data"]);
        var describe = await _narrow.RunAsync("describe", process, "--data", _dir["data"]);
        var history = await _narrow.RunAsync("history", process, "--at", "6", "--data", _dir["data"]);

        foreach (var run in new[] { status, describe, history }) run.ExitCode.Should().Be(0, run.ToString());
        foreach (var run in new[] { status, describe })
            run.Output.Split('\n').Should().OnlyContain(line => line.TrimEnd('\r').Length <= 80, $"nothing wraps at 80 columns:\n{run.Output}");
        status.Output.Should().MatchRegex($@"(?m)^{process}\s+query v1\s+completed\s+2/2\s+4/4\s+\d+s ago\s+[\d.]+ (ms|s)$");
        describe.Output.Should().MatchRegex(@"(?m)^map/0\s+1\s+confirmed\s+local-\d+\s").And.MatchRegex(@"(?m)^merge/0\s");
        var versions = history.Output.Split('\n').TakeWhile(l => Regex.IsMatch(l, @"^\s*\d+ \d{4}-")).ToList();
        versions.Should().HaveCount(6, "one line per event up to --at 6, whatever its length");
        history.Output.Split('\n').Skip(6).Should().OnlyContain(line => line.TrimEnd('\r').Length <= 80, "the process as it stood fits too");
        (await _narrow.RunAsync("describe", process, "--wide", "--data", _dir["data"])).Output.Should().Contain($"{process}/map/0").And.Contain($"tasks/{process}/map/0/a1/");

        using var statusJson = JsonDocument.Parse((await _narrow.RunAsync("status", "--json", "--data", _dir["data"])).Output);
        statusJson.RootElement.GetProperty("total").GetInt32().Should().Be(2);
        statusJson.RootElement.GetProperty("processes").EnumerateArray().Select(p => (p.GetProperty("id").GetString(), p.GetProperty("status").GetString()))
            .Should().BeEquivalentTo([(process, "completed"), (broken, "failed")]);
        using var describeJson = JsonDocument.Parse((await _narrow.RunAsync("describe", process, "--json", "--data", _dir["data"])).Output);
        describeJson.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()).Should().HaveCount(4).And.Contain($"{process}/merge/0");
        describeJson.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()).Should().AllBe("completed");
        using var historyJson = JsonDocument.Parse((await _narrow.RunAsync("history", process, "--json", "--data", _dir["data"])).Output);
        historyJson.RootElement.EnumerateArray().First().GetProperty("type").GetString().Should().Be("process-started.v1");
        historyJson.RootElement.EnumerateArray().Last().GetProperty("type").GetString().Should().Be("process-completed.v1");

        var onlyFailed = await _narrow.RunAsync("status", "--status", "failed", "--data", _dir["data"]);
        onlyFailed.Output.Should().Contain(broken).And.NotContain(process);
        (await _narrow.RunAsync("status", "--graph", "nightly", "--data", _dir["data"])).Output.Trim().Should().Be("no processes of graph 'nightly'");
        var badStatus = await _narrow.RunAsync("status", "--status", "sleeping", "--data", _dir["data"]);
        badStatus.ExitCode.Should().Be(2);
        badStatus.Error.Should().Contain("sleeping");
    }
}
