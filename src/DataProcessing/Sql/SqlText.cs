using System.Text.RegularExpressions;

namespace Orchestration.DataProcessing.Sql;

/// <summary>The SQL the sandbox writes around a step's own query: literals, names, input views and the COPY.</summary>
internal static partial class SqlText
{
    /// <summary>Standard SQL quoting: DuckDB treats backslashes in '...' literally, so doubling quotes is the whole escape.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>View and variable names are plain identifiers, so no quoting games can smuggle SQL through them.</summary>
    public static bool IsPlainName(string name) => PlainName().IsMatch(name);

    public static string CreateView(string view, IReadOnlyList<string> files) =>
        $"CREATE TEMP VIEW {view} AS\n" + string.Join("\nUNION ALL BY NAME\n",
            files.GroupBy(ReaderFor).Select(byReader =>
                $"SELECT * FROM {byReader.Key}([{string.Join(", ", byReader.Select(Literal))}], union_by_name = true)"));

    public static string SetVariable(string name, string value) => $"SET VARIABLE {name} = {Literal(value)}";

    /// <summary>
    /// Newlines around the query keep a trailing "--" comment from swallowing the closing parenthesis. The query
    /// was checked to be exactly one SELECT, so its parentheses balance and it cannot close the COPY early.
    /// </summary>
    public static string CopyTo(string selectSql, string outputFile, OutputFormat format) =>
        $"COPY (\n{WithoutTrailingSemicolons(selectSql)}\n) TO {Literal(outputFile)} ({CopyOptions(format)})";

    public static string WithoutTrailingSemicolons(string sql) => sql.TrimEnd().TrimEnd(';').TrimEnd();

    public static string Extension(OutputFormat format) => format == OutputFormat.Csv ? ".csv" : ".parquet";

    private static string CopyOptions(OutputFormat format) => format switch
    {
        OutputFormat.Csv => "FORMAT csv, HEADER true",
        _ => "FORMAT parquet",
    };

    /// <summary>The reader follows the file name, as DuckDB's own replacement scans do; compressed text files keep their inner extension.</summary>
    private static string ReaderFor(string file)
    {
        var name = file.ToLowerInvariant();
        foreach (var compressed in (string[])[".gz", ".zst"])
            if (name.EndsWith(compressed, StringComparison.Ordinal) && !name.EndsWith(".parquet" + compressed, StringComparison.Ordinal))
                name = name[..^compressed.Length];
        return Path.GetExtension(name) switch
        {
            ".parquet" => "read_parquet",
            ".csv" or ".tsv" => "read_csv",
            ".json" or ".jsonl" or ".ndjson" => "read_json_auto",
            _ => throw StepFailure.Permanent(
                $"Input file '{file}' has no known format: name it .parquet, .csv, .tsv, .json, .jsonl or .ndjson."),
        };
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex PlainName();
}
