namespace Orchestration.DataProcessing.Sql;

/// <summary>The SQL the sandbox writes around a step's own query: literals, names, input views and the COPY.</summary>
internal static class SqlText
{
    /// <summary>Standard SQL quoting: DuckDB treats backslashes in '...' literally, so doubling quotes is the whole escape.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>
    /// Names come from graph authors (a parameter "run-date", an input "sales-daily"), so any name is taken and
    /// quoted rather than refused; doubling the quote is the whole escape inside "...".
    /// </summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public static bool IsUsableName(string name) => !string.IsNullOrWhiteSpace(name) && !name.Contains('\0');

    /// <summary>The rows of <paramref name="files"/> matched by column name, as a view, or <paramref name="materialized"/> as a temporary table.</summary>
    public static string CreateView(string view, IReadOnlyList<string> files, bool materialized = false) =>
        $"CREATE TEMP {(materialized ? "TABLE" : "VIEW")} {Identifier(view)} AS\n" + string.Join("\nUNION ALL BY NAME\n",
            files.GroupBy(ReaderFor).Select(byReader =>
                $"SELECT * FROM {byReader.Key}([{string.Join(", ", byReader.Select(Literal))}], union_by_name = true)"));

    public static string SetVariable(string name, string value) => $"SET VARIABLE {Identifier(name)} = {Literal(value)}";

    /// <summary>
    /// The query starts on line 1, so DuckDB's "LINE n:" in an error matches the step's own SQL; the newline after
    /// it keeps a trailing "--" comment from swallowing the closing parenthesis. The query was checked to be
    /// exactly one SELECT, so its parentheses balance and it cannot close the COPY early.
    /// </summary>
    public static string CopyTo(string selectSql, string outputFile, OutputFormat format) =>
        $"COPY ({WithoutTrailingSemicolons(selectSql)}\n) TO {Literal(outputFile)} ({CopyOptions(format)})";

    /// <summary>One pass writing a file per value of <paramref name="column"/> under <paramref name="directory"/>/<c>{column}={value}</c>/ (the column left out).</summary>
    /// <remarks>
    /// Writing Parquet, it returns a row per file written (<c>RETURN_STATS</c>, which DuckDB has for Parquet only): its
    /// name and rows, so no count reads them again.
    /// </remarks>
    public static string CopyPartitionedTo(string selectSql, string directory, OutputFormat format, string column) =>
        $"COPY ({WithoutTrailingSemicolons(selectSql)}\n) TO {Literal(directory)} ({CopyOptions(format)}, PARTITION_BY ({Identifier(column)}){(format == OutputFormat.Parquet ? ", RETURN_STATS" : "")})";

    /// <summary>The table function reading <paramref name="files"/> (of one format), e.g. <c>read_parquet(['a', 'b'])</c>.</summary>
    public static string Reader(IReadOnlyList<string> files) => $"{ReaderFor(files[0])}([{string.Join(", ", files.Select(Literal))}])";

    public static string WithoutTrailingSemicolons(string sql) => sql.TrimEnd().TrimEnd(';').TrimEnd();

    public static string Extension(OutputFormat format) => format switch { OutputFormat.Csv => ".csv", OutputFormat.Json => ".json", _ => ".parquet" };

    private static string CopyOptions(OutputFormat format) => format switch
    {
        OutputFormat.Csv => "FORMAT csv, HEADER true",
        OutputFormat.Json => "FORMAT json",
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
}
