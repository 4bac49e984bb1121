using DuckDB.NET.Data;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.Tests.DataProcessing;

/// <summary>
/// A throwaway folder holding a sandbox's scratch root and, beside it, a sibling folder the sandbox must not
/// reach. Test data is made and checked with a plain, unsandboxed DuckDB connection.
/// </summary>
internal sealed class ScratchArea : IDisposable
{
    public ScratchArea()
    {
        Base = Directory.CreateTempSubdirectory("sql-sandbox-").FullName;
        Sandbox = new SqlSandbox(Path.Join(Base, "scratch"));
        Sibling = Directory.CreateDirectory(Path.Join(Base, "sibling")).FullName;
    }

    public string Base { get; }
    public string Sibling { get; }
    public SqlSandbox Sandbox { get; }

    public static SqlRequest Request(string sql, string output, params SqlInput[] inputs) =>
        new(sql, inputs, output, OutputFormat.Parquet, new Dictionary<string, string>());

    public static void Execute(string sql)
    {
        using var connection = Plain();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static List<object?[]> Rows(string sql)
    {
        using var connection = Plain();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public void Dispose()
    {
        Sandbox.Dispose();
        Directory.Delete(Base, recursive: true);
    }

    private static DuckDBConnection Plain()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return connection;
    }
}
