using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary><c>orch status</c> lists processes from the process list, the most recently started first, a page at a time.</summary>
public sealed class Status_pages : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _orch;

    public Status_pages() => _orch = new OrchCli(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Status_pages_the_processes_newest_first_and_says_how_to_see_the_rest()
    {
        DuckDb.Execute($"COPY (SELECT i AS n FROM range(10) t(i)) TO '{_dir["in.csv"]}' (HEADER)");
        var ids = new List<string>(); // a query's process id comes from its inputs and SQL: each differs, so each runs anew
        for (var i = 0; i < 3; i++)
        {
            var run = await _orch.RunAsync("query", "--data", _dir["data"], "--input", "in.csv", "--sql", $"SELECT count(*) + {i} AS n FROM input", "--out", _dir[$"out-{i}.csv"]);
            run.ExitCode.Should().Be(0, run.ToString());
            ids.Add(Regex.Match(run.Output, @"process (query-[0-9a-f]+)").Groups[1].Value);
        }

        var first = await _orch.RunAsync("status", "--data", _dir["data"], "--page-size", "2");
        var second = await _orch.RunAsync("status", "--data", _dir["data"], "--page-size", "2", "--page", "2");
        var bad = await _orch.RunAsync("status", "--data", _dir["data"], "--page", "0");

        first.ExitCode.Should().Be(0, first.ToString());
        Ids(first.Output).Should().Equal(ids[2], ids[1]);
        first.Output.Should().Contain("page 1 of 2 (3 processes); --page 2 for the next");
        Ids(second.Output).Should().Equal(ids[0]);
        bad.ExitCode.Should().Be(2);
        bad.Error.Trim().Should().Be("orch: The page must be 1 or more (got 0).");
    }

    private static List<string> Ids(string output) => Regex.Matches(output, @"^(query-[0-9a-f]+)\s", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
}
