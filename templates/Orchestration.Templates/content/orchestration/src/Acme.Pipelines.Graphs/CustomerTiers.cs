using Orchestration.Contracts;
using Orchestration.Graphs;

namespace Acme.Pipelines.Graphs;

/// <summary>
/// Customers by spending tier: a SQL map sums each sales partition per customer, a SQL reduce adds the partials up, a
/// C# step gives every customer a tier, and a last SQL reduce counts customers and revenue per tier.
/// </summary>
public static class CustomerTiers
{
    public const string ScoreStep = "score-customers";
    public const int ScoreVersion = 1;

    public static readonly ProcessGraph Graph = ProcessGraph.Define("customer-tiers", 1)
        .Map("spend", DataSource.Dataset("sales"),
            StepWork.Sql("SELECT customer_id, sum(amount::DECIMAL(18,2)) AS spent FROM input GROUP BY customer_id"))
        .Reduce("totals", DataSource.Step("spend"),
            StepWork.Sql("SELECT customer_id, sum(spent) AS spent FROM partials GROUP BY customer_id"), s => s.As("partials"))
        .Map("scores", DataSource.Step("totals"), StepWork.Code(ScoreStep, ScoreVersion))
        .Reduce("tiers", DataSource.Step("scores"),
            StepWork.Sql("SELECT tier, count(*) AS customers, sum(spent::DECIMAL(18,2)) AS revenue FROM scores GROUP BY tier ORDER BY tier"),
            s => s.As("scores"))
        .Build();
}
