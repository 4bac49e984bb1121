namespace Orchestration.Tests.DataProcessing;

/// <summary>Two parquet partitions of sales and a CSV of stores, written by DuckDB itself. Amounts are DECIMAL so sums are exact.</summary>
internal sealed record SalesFiles(string PartA, string PartB, string Stores)
{
    public const int RowsPerPart = 5_000;

    public static SalesFiles WriteInto(string directory)
    {
        var files = new SalesFiles(Path.Join(directory, "sales-0.parquet"), Path.Join(directory, "sales-1.parquet"), Path.Join(directory, "stores.csv"));
        ScratchArea.Execute(SalesPart(0, files.PartA));
        ScratchArea.Execute(SalesPart(RowsPerPart, files.PartB));
        ScratchArea.Execute($"""
            COPY (SELECT range AS store, 'store ' || chr(65 + range::INTEGER) AS name, ['north', 'south'][range % 2 + 1] AS region
                  FROM range(7)) TO '{files.Stores}' (FORMAT csv, HEADER true)
            """);
        return files;
    }

    private static string SalesPart(int from, string file) => $"""
        COPY (SELECT range AS id, range % 7 AS store, (range * 37 % 1000)::DECIMAL(12, 2) AS amount, 'sku-' || (range % 13) AS sku
              FROM range({from}, {from + RowsPerPart})) TO '{file}' (FORMAT parquet)
        """;
}
