using Orchestration.Contracts;
using Orchestration.Graphs;

namespace Orchestration.CommandLine.Demo;

/// <summary>
/// Graphs shipped with <c>orch</c> that show the shapes beyond map and reduce, over any sales files with columns
/// <c>day</c>, <c>store</c> and <c>amount</c> (<c>orch run sales-by-day --dataset sales='sales/*.csv'</c>):
/// a fan-out over the items an earlier step found, and a step that runs only when an earlier one found something.
/// (A shuffle and a shuffle join: <c>orch query --shuffle-by</c>; one task per labeled worker: <c>On(selector, Target.All)</c>,
/// as the log pipeline sample does.)
/// </summary>
public static class ShapeExamples
{
    /// <summary>
    /// <c>days</c> lists the days found in the sales (a metadata list); <c>per-day</c> runs one task per day, the day given
    /// to its SQL as a bound value (<c>getvariable('item')</c>); <c>by-day</c> puts the days together.
    /// </summary>
    public static readonly ProcessGraph SalesByDay = ProcessGraph.Define("sales-by-day", 1)
        .Reduce("days", DataSource.Dataset("sales"), StepWork.Sql("SELECT DISTINCT CAST(day AS VARCHAR) AS day FROM input"), s => s.ReportList("days", "day"))
        .Map("per-day", Metadata.Items("days", "days"), StepWork.Sql("""
            SELECT getvariable('item') AS day, count(*) AS sales, count(DISTINCT store) AS stores, sum(amount) AS amount
            FROM input WHERE CAST(day AS VARCHAR) = getvariable('item')
            """), over: DataSource.Dataset("sales"))
        .Reduce("by-day", DataSource.Step("per-day"), StepWork.Sql("SELECT * FROM partials ORDER BY day"), s => s.As("partials"))
        .Build();

    /// <summary>
    /// <c>refunds</c> picks each file's refunds (negative amounts); <c>report</c> runs only if there were any (each SQL
    /// task reports its <c>rows</c>), else it is skipped, with the reason in the history.
    /// </summary>
    public static readonly ProcessGraph RefundReport = ProcessGraph.Define("refund-report", 1)
        .Map("refunds", DataSource.Dataset("sales"), StepWork.Sql("SELECT day, store, amount FROM input WHERE amount < 0"))
        .Reduce("report", DataSource.Step("refunds"), StepWork.Sql("SELECT store, count(*) AS refunds, sum(amount) AS amount FROM partials GROUP BY store ORDER BY store"),
            s => s.As("partials").OnlyIf(Metadata.Count("refunds", "rows") > 0))
        .Build();
}
