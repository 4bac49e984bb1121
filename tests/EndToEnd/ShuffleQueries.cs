namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Orders and returns spread over many files, in which one customer appears in many files: an exact distinct count
/// per country and the join of orders with returns need every row of a customer in one task, which a shuffle gives.
/// Each query comes with the one direct DuckDB query it must equal.
/// </summary>
internal static class ShuffleQueries
{
    public const int Buckets = 8;

    /// <summary>Writes orders/o-N.csv (10 files) and returns/r-N.csv (4 files) into <paramref name="dir"/>.</summary>
    public static void Write(TempDirectory dir)
    {
        Directory.CreateDirectory(dir["orders"]);
        Directory.CreateDirectory(dir["returns"]);
        for (var f = 0; f < 10; f++)
            DuckDb.Execute($"""
                COPY (SELECT (i * 7 + {f}) % 701 AS customer_id, ['FR','DE','US','CA'][1 + ((i * 7 + {f}) % 701) % 4] AS country, (i % 50) + {f} AS amount
                      FROM range(3000) t(i)) TO '{dir[$"orders/o-{f}.csv"]}' (HEADER)
                """);
        for (var f = 0; f < 4; f++)
            DuckDb.Execute($"""
                COPY (SELECT (i * 13 + {f}) % 997 AS customer_id, (i % 20) + 1 AS refunded
                      FROM range(400) t(i)) TO '{dir[$"returns/r-{f}.csv"]}' (HEADER)
                """);
    }

    /// <summary><c>orch query</c>'s arguments for distinct customers per country, shuffled by customer.</summary>
    public static string[] DistinctCustomers(string output) =>
    [
        "query", "--input", "orders/*.csv", "--shuffle-by", "customer_id", "--buckets", $"{Buckets}",
        "--sql", "SELECT country, count(DISTINCT customer_id) AS customers FROM input GROUP BY country",
        "--merge", "SELECT country, sum(customers)::BIGINT AS customers FROM partials GROUP BY country ORDER BY country",
        "--out", output,
    ];

    public static IReadOnlyList<string> DistinctCustomersDirectly(TempDirectory dir) => DuckDb.Rows($"""
        SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
          SELECT country, count(DISTINCT customer_id) AS customers FROM read_csv('{dir["orders"]}/*.csv') GROUP BY country ORDER BY country)
        """);

    /// <summary><c>orch query</c>'s arguments for the join of orders with returns by customer, as a shuffle join.</summary>
    public static string[] OrdersJoinedWithReturns(string output) =>
    [
        "query", "--input", "orders/*.csv", "--shuffle-with", "returns=returns/*.csv", "--shuffle-by", "customer_id", "--buckets", $"{Buckets}",
        "--sql", "SELECT o.customer_id, count(*) AS pairs, sum(o.amount * r.refunded) AS weighted FROM input o JOIN returns r USING (customer_id) GROUP BY o.customer_id",
        "--merge", "SELECT * FROM partials ORDER BY customer_id",
        "--out", output,
    ];

    public static IReadOnlyList<string> OrdersJoinedWithReturnsDirectly(TempDirectory dir) => DuckDb.Rows($"""
        SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
          SELECT o.customer_id, count(*) AS pairs, sum(o.amount * r.refunded) AS weighted
          FROM read_csv('{dir["orders"]}/*.csv') o JOIN read_csv('{dir["returns"]}/*.csv') r USING (customer_id)
          GROUP BY o.customer_id ORDER BY customer_id)
        """);
}
