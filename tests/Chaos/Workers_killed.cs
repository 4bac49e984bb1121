using System.Diagnostics;
using System.Text.RegularExpressions;
using FluentAssertions;
using Orchestration.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Chaos;

/// <summary>
/// Chaos: workers die at random (the process kills itself, as with SIGKILL) during a 500-task process, and new
/// workers are started as they die. The tasks they held go back to the queue and are run again elsewhere; the
/// result must equal DuckDB's and every task be confirmed exactly once.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RealProcesses.Name)]
public sealed class Workers_killed(ITestOutputHelper output) : DistributedStack
{
    private static readonly Dictionary<string, string> Dying = new() { ["Orchestration__Faults__KillShare"] = "0.02" };

    [Fact]
    public async Task Workers_killed_at_random_during_500_tasks_lose_nothing_and_double_nothing()
    {
        const int files = 500;
        WriteParts(files);
        StartHost("orchestrator");
        var dyingWorkers = Cli(Dying);
        var workers = new List<Process>();
        var kills = 0;
        var clock = Stopwatch.StartNew();

        var run = Orch.RunAsync("query", "--input", "parts/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir["out.csv"]);
        while (!run.IsCompleted)
        {
            foreach (var dead in workers.Where(w => w.HasExited).ToList())
            {
                workers.Remove(dead);
                kills++;
            }
            while (workers.Count < 2) workers.Add(StartDyingWorker(dyingWorkers, workers.Count + kills));
            await Task.WhenAny(run, Task.Delay(200));
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(8), "the process must finish despite the kills");
        }
        var result = await run;

        result.ExitCode.Should().Be(0, result.ToString());
        DuckDb.CsvRows(Dir["out.csv"]).Should().Equal(Expected());
        var history = await HistoryOf(result);
        ConfirmedTasks(history).Should().HaveCount(files + 1).And.OnlyHaveUniqueItems("every task is confirmed exactly once");
        var retries = Regex.Matches(history, "will be retried").Count;
        output.WriteLine($"chaos worker kills: {files + 1} tasks, {kills} workers killed, {retries} retries, {clock.Elapsed.TotalSeconds:0.0} s, result match");
        kills.Should().BeGreaterThan(0, "with 2 % of tasks killing their worker, 500 tasks see kills");
    }

    private Process StartDyingWorker(OrchCli cli, int number) =>
        StartHost(cli, "worker", "--name", $"w{number}", "--slots", "1", "--prefetch", "2");
}
