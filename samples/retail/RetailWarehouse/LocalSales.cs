using Orchestration.Contracts;
using Orchestration.Graphs;

namespace RetailWarehouse;

/// <summary>
/// Revenue by store over the point-of-sale CSV files each worker keeps in its local root <c>sales</c>
/// (<c>--allow-local sales=/srv/pos</c>): read in place, only the per-store sums travel. Needs no dataset, so it can
/// run on a schedule.
/// </summary>
public static class LocalSales
{
    public static readonly ProcessGraph Graph = ProcessGraph.Define("local-sales-by-store", 1)
        .Map("partials", DataSource.Local("sales", "*.csv"),
            StepWork.Sql("SELECT store, count(*) AS sales, sum(amount) AS revenue FROM input GROUP BY store"))
        .Reduce("revenue", DataSource.Step("partials"),
            StepWork.Sql("SELECT store, sum(sales) AS sales, sum(revenue) AS revenue FROM partials GROUP BY store ORDER BY store"), s => s.As("partials"))
        .Build();
}
