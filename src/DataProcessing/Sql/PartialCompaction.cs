namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Writes several small Parquet files as one, for a worker that reads the same groups of them again and again (a
/// merge's partials, re-run after one of them changed). DuckDB pays about 0.2 ms a file whatever its size, so a view
/// over 100 partials spends most of its time opening them. Only files of one identical schema are compacted, and only
/// when the compacted file reads back with the same columns and types: the view then holds the same rows, in the same
/// order, as over the files themselves.
/// </summary>
internal static class PartialCompaction
{
    private const string What = "compaction of small input files";

    public static bool TryCompact(SqlSession session, IReadOnlyList<string> files, string compacted)
    {
        if (files.Count < 2 || !OneSchema(session, files)) return false;
        session.Copy($"SELECT * FROM {SqlText.Reader(files)}", compacted, OutputFormat.Parquet, What);
        if (session.Columns($"SELECT * FROM {SqlText.Reader([compacted])}", What).SequenceEqual(session.Columns($"SELECT * FROM {SqlText.Reader([files[0]])}", What)))
            return true;
        File.Delete(compacted); // a type Parquet does not keep as it is: the files are read themselves
        return false;
    }

    /// <summary>Whether every file has the same Parquet schema, field by field in order: then no column needs matching by name.</summary>
    private static bool OneSchema(SqlSession session, IReadOnlyList<string> files)
    {
        var fields = session.Rows(
            "SELECT file_name, concat_ws(chr(31), name, coalesce(type, ''), coalesce(type_length::VARCHAR, ''), coalesce(repetition_type, ''), " +
            "coalesce(num_children::VARCHAR, ''), coalesce(converted_type, ''), coalesce(scale::VARCHAR, ''), coalesce(precision::VARCHAR, ''), " +
            $"coalesce(field_id::VARCHAR, ''), coalesce(logical_type::VARCHAR, '')) FROM parquet_schema([{string.Join(", ", files.Select(SqlText.Literal))}])", What);
        var schemas = fields.GroupBy(f => f[0], f => f[1], StringComparer.Ordinal).Select(file => string.Join('\u001e', file)).ToList();
        return schemas.Count == files.Count && schemas.All(s => s == schemas[0]);
    }
}
