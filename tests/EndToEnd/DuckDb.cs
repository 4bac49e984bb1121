using DuckDB.NET.Data;

namespace Orchestration.Tests.EndToEnd;

/// <summary>Plain DuckDB, outside the engine: makes test data and computes the answers the engine must match.</summary>
internal static class DuckDb
{
    public static void Execute(string sql)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Every row as text (NULL as empty), in the query's order.</summary>
    public static IReadOnlyList<string> Rows(string sql)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(c => reader.IsDBNull(c) ? "" : Convert.ToString(reader.GetValue(c), System.Globalization.CultureInfo.InvariantCulture))));
        return rows;
    }

    /// <summary>The rows of a CSV the engine wrote, read as text so nothing is reinterpreted.</summary>
    public static IReadOnlyList<string> CsvRows(string path, string orderBy = "") =>
        Rows($"SELECT * FROM read_csv('{path}', header = true, all_varchar = true) {orderBy}");

    private static DuckDBConnection Open()
    {
        var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        return db;
    }
}
