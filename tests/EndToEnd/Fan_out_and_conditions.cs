using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// On the embedded engine, through <c>orch run</c>: one task per day an earlier step found, and a step that runs only
/// when an earlier one found rows (skipped, and recorded why, when it did not), each equal to one direct DuckDB query.
/// </summary>
public sealed class Fan_out_and_conditions : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _orch;

    public Fan_out_and_conditions() => _orch = new OrchCli(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task One_task_per_day_found_gives_duckdbs_sales_by_day()
    {
        ShapeExampleRuns.WriteSales(_dir, withRefunds: false);

        var run = await _orch.RunAsync([.. ShapeExampleRuns.SalesByDay(_dir["by-day.csv"]), "--data", _dir["data"], "--workers", "2"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["by-day.csv"]).Should().Equal(ShapeExampleRuns.SalesByDayDirectly(_dir)).And.HaveCount(5);
        run.Output.Should().MatchRegex(@"per-day\s+5/5", "one task per day found");
        var process = System.Text.RegularExpressions.Regex.Match(run.Output, @"(run-[0-9a-f]+)").Groups[1].Value;
        (await _orch.RunAsync("history", process, "--data", _dir["data"])).Output.Should().Contain("for item '2026-05-03'");
    }

    [Fact]
    public async Task A_report_that_runs_only_on_refunds_runs_when_there_are_some_and_equals_duckdbs()
    {
        ShapeExampleRuns.WriteSales(_dir, withRefunds: true);

        var run = await _orch.RunAsync([.. ShapeExampleRuns.RefundReport(_dir["refunds.csv"]), "--data", _dir["data"], "--workers", "2"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["refunds.csv"]).Should().Equal(ShapeExampleRuns.RefundReportDirectly(_dir)).And.HaveCount(7);
    }

    [Fact]
    public async Task Without_refunds_the_report_is_skipped_and_the_history_says_why()
    {
        ShapeExampleRuns.WriteSales(_dir, withRefunds: false);

        var run = await _orch.RunAsync([.. ShapeExampleRuns.RefundReport(_dir["refunds.csv"]), "--data", _dir["data"]]);

        ShapeExampleRuns.ShouldHaveSkippedTheReport(run);
        var process = System.Text.RegularExpressions.Regex.Match(run.Output, @"(run-[0-9a-f]+)").Groups[1].Value;
        (await _orch.RunAsync("history", process, "--data", _dir["data"])).Output.Should().Contain("Step 'report' skipped: it runs only if");
    }
}
