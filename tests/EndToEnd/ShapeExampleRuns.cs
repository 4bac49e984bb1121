using FluentAssertions;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The shape examples shipped with <c>orch</c> (<c>sales-by-day</c>: a fan-out over the days found; <c>refund-report</c>:
/// a step that runs only if refunds were found) run over sales files, with the direct DuckDB query each must equal.
/// </summary>
internal static class ShapeExampleRuns
{
    /// <summary>Four files of sales whose days overlap (each day's sales are in several files); refunds only if asked.</summary>
    public static void WriteSales(TempDirectory dir, bool withRefunds)
    {
        Directory.CreateDirectory(dir["sales"]);
        for (var f = 0; f < 4; f++)
            DuckDb.Execute($"""
                COPY (SELECT DATE '2026-05-01' + CAST((i + {f}) % 5 AS INTEGER) AS day, 'store-' || ((i * 3 + {f}) % 7) AS store,
                             {(withRefunds ? "(i % 40) - 3" : "(i % 40) + 1")} AS amount
                      FROM range(500) t(i)) TO '{dir[$"sales/s-{f}.csv"]}' (HEADER)
                """);
    }

    public static string[] SalesByDay(string output) => ["run", "sales-by-day", "--dataset", "sales=sales/*.csv", "--out", output];

    public static IReadOnlyList<string> SalesByDayDirectly(TempDirectory dir) => DuckDb.Rows($"""
        SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
          SELECT CAST(day AS VARCHAR) AS day, count(*) AS sales, count(DISTINCT store) AS stores, sum(amount) AS amount
          FROM read_csv('{dir["sales"]}/*.csv') GROUP BY ALL ORDER BY day)
        """);

    public static string[] RefundReport(string output) => ["run", "refund-report", "--dataset", "sales=sales/*.csv", "--out", output];

    public static IReadOnlyList<string> RefundReportDirectly(TempDirectory dir) => DuckDb.Rows($"""
        SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
          SELECT store, count(*) AS refunds, sum(amount) AS amount FROM read_csv('{dir["sales"]}/*.csv') WHERE amount < 0 GROUP BY store ORDER BY store)
        """);

    /// <summary>What a run of <c>refund-report</c> over sales without refunds must show: the report skipped, saying why.</summary>
    public static void ShouldHaveSkippedTheReport(OrchCli.Result run)
    {
        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("skipped step 'report': it runs only if metadata 'rows' of 'refunds' > 0, and metadata 'rows' of 'refunds' is 0");
    }
}
