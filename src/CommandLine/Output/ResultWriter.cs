using DuckDB.NET.Data;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Spectre.Console;

namespace Orchestration.CommandLine.Output;

/// <summary>Turns a process's output blobs into the user's CSV file and a table on the console.</summary>
public static class ResultWriter
{
    public const int ShownRows = 25;

    public static async Task WriteAsync(IBlobStore blobs, IReadOnlyList<BlobRef> outputs, string csvPath, CancellationToken cancellationToken)
    {
        // A step that publishes files of its own (the log pipeline's .json.gz) leaves no table: its blobs are the result.
        if (outputs.Any(o => !o.Uri.AbsolutePath.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            foreach (var blob in outputs)
                AnsiConsole.MarkupLine($"[grey]published[/] {Markup.Escape(blob.Uri.ToString())} ({blob.Rows:N0} rows, {blob.Size:N0} bytes)");
            return;
        }
        var scratch = Directory.CreateTempSubdirectory("orch-result-");
        try
        {
            var files = new List<string>();
            foreach (var (blob, i) in outputs.Select((b, i) => (b, i)))
            {
                var local = Path.Combine(scratch.FullName, $"part-{i}.parquet");
                await blobs.DownloadAsync(blob, local, cancellationToken);
                files.Add(local);
            }
            var target = Path.GetFullPath(csvPath);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var db = new DuckDBConnection("DataSource=:memory:");
            db.Open();
            var source = files.Count == 0 ? "(SELECT NULL AS empty_result WHERE false)" : $"read_parquet([{string.Join(", ", files.Select(Quote))}])";
            Execute(db, $"COPY (SELECT * FROM {source}) TO {Quote(target)} (FORMAT csv, HEADER)");
            ShowTable(db, target);
            AnsiConsole.MarkupLine($"[grey]result written to[/] {Markup.Escape(target)}");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static void ShowTable(DuckDBConnection db, string csv)
    {
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT * FROM read_csv({Quote(csv)}, header = true, all_varchar = true)";
        using var reader = command.ExecuteReader();
        var table = new Table().Border(TableBorder.Rounded);
        for (var c = 0; c < reader.FieldCount; c++) table.AddColumn(Markup.Escape(reader.GetName(c)));
        var rows = 0;
        while (reader.Read())
        {
            if (++rows > ShownRows) continue;
            table.AddRow(Enumerable.Range(0, reader.FieldCount).Select(c => Markup.Escape(reader.IsDBNull(c) ? "" : reader.GetString(c))).ToArray());
        }
        if (rows > ShownRows) table.Caption($"{ShownRows} of {rows:N0} rows shown");
        AnsiConsole.Write(table);
    }

    private static string Quote(string path) => $"'{path.Replace("'", "''")}'";

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
