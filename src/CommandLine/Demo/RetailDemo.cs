using DuckDB.NET.Data;
using Orchestration.Contracts;
using Orchestration.Graphs;

namespace Orchestration.CommandLine.Demo;

/// <summary>
/// The demo: a retail chain's point-of-sale data (50 stores, a year of daily sales, a few million rows,
/// one Parquet file per store) with small store and product dimension tables, and the graph
/// "revenue by country and brand": a DuckDB map over the store partitions joining the dimensions, then a merge.
/// </summary>
public static class RetailDemo
{
    public const int Stores = 50;
    public const int Days = 365;

    /// <summary>
    /// A store's partition is about 165 kB (60,000 rows), which DuckDB aggregates in a few milliseconds: one task each
    /// would spend more on each task's fixed costs than on the query. Packed up to 1 MiB, a task reads six stores (nine
    /// tasks), still enough to keep every slot of a few workers busy. The map's partial sums are summed again by the
    /// merge, so a task over several stores gives it what one per store would.
    /// </summary>
    public const long PackUpTo = 1024 * 1024;

    public static readonly ProcessGraph Graph = ProcessGraph.Define("revenue-by-country-brand", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Sql(PartialSql),
            s => s.With("stores", DataSource.Dataset("stores")).With("products", DataSource.Dataset("products")).PackBlobsUpTo(PackUpTo))
        .Reduce("revenue", DataSource.Step("partials"), StepWork.Sql(MergeSql), s => s.As("partials"))
        .Build();

    public const string PartialSql = """
        SELECT s.country, p.brand, sum(i.quantity * i.unit_price) AS revenue, sum(i.quantity)::BIGINT AS units
        FROM input i
        JOIN stores s USING (store_id)
        JOIN products p USING (product_id)
        GROUP BY s.country, p.brand
        """;

    public const string MergeSql = """
        SELECT country, brand, sum(revenue) AS revenue, sum(units)::BIGINT AS units
        FROM partials
        GROUP BY country, brand
        ORDER BY revenue DESC, country, brand
        """;

    /// <summary>The same question asked of DuckDB directly over the same files, for checking the engine's answer.</summary>
    public static string DirectSql(string directory) => $"""
        SELECT s.country, p.brand, sum(i.quantity * i.unit_price) AS revenue, sum(i.quantity)::BIGINT AS units
        FROM read_parquet('{directory}/sales/*.parquet') i
        JOIN read_parquet('{directory}/stores.parquet') s USING (store_id)
        JOIN read_parquet('{directory}/products.parquet') p USING (product_id)
        GROUP BY s.country, p.brand
        ORDER BY revenue DESC, country, brand
        """;

    /// <summary>Generates the data set under <paramref name="directory"/> unless it is already there. Deterministic.</summary>
    public static void EnsureDataset(string directory)
    {
        var marker = Path.Combine(directory, ".complete");
        if (File.Exists(marker)) return;
        Directory.CreateDirectory(Path.Combine(directory, "sales"));
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        Execute(db, $"""
            COPY (SELECT i AS store_id, 'store-' || lpad(i::VARCHAR, 2, '0') AS store,
                         ['FR','DE','ES','IT','GB','US','CA','BR','JP','AU'][1 + i % 10] AS country
                  FROM range(1, {Stores + 1}) t(i)) TO '{directory}/stores.parquet' (FORMAT parquet)
            """);
        Execute(db, $"""
            COPY (SELECT i AS product_id, 'product-' || i AS product,
                         ['Acme','Globex','Initech','Umbrella','Hooli','Stark','Wayne','Tyrell'][1 + (hash(i) % 8)::INT] AS brand,
                         round(1 + (hash(i * 7) % 20000) / 100.0, 2)::DECIMAL(10, 2) AS unit_price
                  FROM range(1, 501) t(i)) TO '{directory}/products.parquet' (FORMAT parquet)
            """);
        for (var store = 1; store <= Stores; store++)
        {
            Execute(db, $"""
                COPY (SELECT {store} AS store_id, DATE '2025-01-01' + (n // 160)::INT AS day,
                             1 + (hash(n, {store}) % 500)::INT AS product_id,
                             1 + (hash(n, {store}, 1) % 5)::INT AS quantity,
                             p.unit_price
                      FROM range({Days * 160}) t(n)
                      JOIN read_parquet('{directory}/products.parquet') p ON p.product_id = 1 + (hash(n, {store}) % 500)::INT
                      ORDER BY n) TO '{directory}/sales/store-{store:00}.parquet' (FORMAT parquet)
                """);
        }
        File.WriteAllText(marker, "generated");
    }

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> DatasetFiles(string directory) => new Dictionary<string, IReadOnlyList<string>>
    {
        ["sales"] = Directory.GetFiles(Path.Combine(directory, "sales"), "*.parquet").Order(StringComparer.Ordinal).ToArray(),
        ["stores"] = [Path.Combine(directory, "stores.parquet")],
        ["products"] = [Path.Combine(directory, "products.parquet")],
    };

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
