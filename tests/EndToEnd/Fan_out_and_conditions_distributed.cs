using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>The same fan-out over days and conditional report on the distributed deployment, with two worker processes.</summary>
[Collection(RealProcesses.Name)]
public sealed class Fan_out_and_conditions_distributed : DistributedStack
{
    [Fact]
    public async Task Sales_by_day_and_a_skipped_then_run_refund_report_on_two_worker_processes_equal_duckdbs()
    {
        ShapeExampleRuns.WriteSales(Dir, withRefunds: false);
        StartDeployment(workers: 2);

        var byDay = await Orch.RunAsync(ShapeExampleRuns.SalesByDay(Dir["by-day.csv"]));
        byDay.ExitCode.Should().Be(0, byDay + await HostLogs());
        DuckDb.CsvRows(Dir["by-day.csv"]).Should().Equal(ShapeExampleRuns.SalesByDayDirectly(Dir));

        ShapeExampleRuns.ShouldHaveSkippedTheReport(await Orch.RunAsync(ShapeExampleRuns.RefundReport(Dir["none.csv"])));

        ShapeExampleRuns.WriteSales(Dir, withRefunds: true);
        var refunds = await Orch.RunAsync(ShapeExampleRuns.RefundReport(Dir["refunds.csv"]));
        refunds.ExitCode.Should().Be(0, refunds + await HostLogs());
        DuckDb.CsvRows(Dir["refunds.csv"]).Should().Equal(ShapeExampleRuns.RefundReportDirectly(Dir));
    }
}
