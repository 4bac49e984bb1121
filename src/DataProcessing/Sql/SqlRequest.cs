namespace Orchestration.DataProcessing.Sql;

/// <summary>How a query result is written; <see cref="Json"/> is newline-delimited JSON, one object per row.</summary>
public enum OutputFormat { Parquet, Csv, Json }

/// <summary>A local file the task may read, shown to SQL as view <paramref name="View"/>; files sharing a view are unioned by column name.</summary>
public sealed record SqlInput(string View, string Path);

/// <summary>One query to run in the sandbox: over its input files, written to one output file in the given format.</summary>
public sealed record SqlRequest(
    string Sql,
    IReadOnlyList<SqlInput> Inputs,
    string OutputFile,
    OutputFormat Format,
    IReadOnlyDictionary<string, string> Parameters);

/// <summary>What one written file holds: <paramref name="Rows"/> rows in <paramref name="Bytes"/> bytes.</summary>
public sealed record SqlResult(long Rows, long Bytes, TimeSpan Duration);

/// <summary>
/// Limits of the one DuckDB instance a sandbox keeps. One thread by default: output row order stays
/// deterministic, and the worker gets its parallelism from running several tasks at once.
/// </summary>
public sealed record SandboxOptions(string MemoryLimit = "1GB", int Threads = 1);
