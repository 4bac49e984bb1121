using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// One run's own connection to the sandbox instance. Temp views and variables live in the connection, so
/// closing it forgets everything the run defined; cancelling interrupts only this connection's query.
/// </summary>
internal sealed class SqlSession : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly string _scratchRoot;
    private readonly CancellationToken _cancellation;
    private readonly CancellationTokenRegistration _interruptOnCancel;

    public SqlSession(DuckDBConnection connection, string scratchRoot, CancellationToken cancellation)
    {
        _connection = connection;
        _scratchRoot = scratchRoot;
        _cancellation = cancellation;
        _interruptOnCancel = cancellation.Register(static c => new DuckDBCommand("", (DuckDBConnection)c!).Cancel(), connection);
    }

    /// <summary>Parameters become variables and each view name gets its files, before the step's query runs.</summary>
    public void Prepare(IReadOnlyDictionary<string, string> parameters, IReadOnlyList<(string View, string File)> inputs)
    {
        foreach (var (name, value) in parameters)
        {
            if (!SqlText.IsUsableName(name)) throw StepFailure.Permanent($"Parameter name '{name}' is empty.");
            Execute(SqlText.SetVariable(name, value), $"parameter '{name}'");
        }

        foreach (var view in inputs.GroupBy(i => i.View, StringComparer.OrdinalIgnoreCase))
        {
            if (!SqlText.IsUsableName(view.Key)) throw StepFailure.Permanent($"Input view name '{view.Key}' is empty.");
            var files = view.Select(i => i.File).ToList();
            Execute(SqlText.CreateView(view.Key, files, materialized: IsManySmallFiles(files)), $"input view '{view.Key}' over {string.Join(", ", files.Select(f => $"'{f}'"))}");
        }
    }

    /// <summary>The most bytes, in all, of a view's files that are read into a table of the run's connection rather than viewed.</summary>
    public const long MaterializedUpTo = 4L * 1024 * 1024;

    /// <summary>The fewest files of a view that are read into a table rather than viewed (<see cref="IsManySmallFiles"/>).</summary>
    private const int MaterializedFrom = 32;

    /// <summary>
    /// Whether a view's files are many and small in all (a merge's partials): read once into a temporary table then,
    /// because a view over them reads every file's schema each time it is bound (matching columns by name), three times
    /// a run (the view, the DESCRIBE, the COPY): 100 partials cost 55-85 ms as a view against 30-45 ms as a table. Fewer
    /// files cost less bound three times than copied once: 21 (a memoized re-run's merge, its partials mostly compacted)
    /// took 13-17 ms as a view against 16-24 ms as a table.
    /// </summary>
    private static bool IsManySmallFiles(IReadOnlyList<string> files)
    {
        if (files.Count < MaterializedFrom) return false;
        long bytes = 0;
        foreach (var file in files)
            if ((bytes += new FileInfo(file).Length) > MaterializedUpTo) return false;
        return true;
    }

    public void Guard(string sql, string what)
    {
        _cancellation.ThrowIfCancellationRequested();
        try
        {
            SelectOnlyGuard.Check(_connection, sql, what);
        }
        catch (DuckDBException e)
        {
            throw DuckDbFailures.From(e.Message, what, _scratchRoot, e);
        }
    }

    /// <summary>
    /// COPY reports the rows it wrote as its "rows changed", so no second pass counts them. ADO.NET's
    /// ExecuteNonQuery narrows that count to int (and wraps past 2^31 rows), so the C API is asked directly.
    /// </summary>
    public long Copy(string selectSql, string outputFile, OutputFormat format, string what) => RowsWritten(SqlText.CopyTo(selectSql, outputFile, format), what);

    /// <summary>
    /// A COPY with <c>PARTITION_BY</c> (<see cref="SqlText.CopyPartitionedTo"/>); returns the rows written to each file, by
    /// its full path, when DuckDB says (Parquet), or nothing.
    /// </summary>
    public IReadOnlyDictionary<string, long> CopyPartitioned(string selectSql, string directory, OutputFormat format, string column, string what)
    {
        if (format != OutputFormat.Parquet)
        {
            RowsWritten(SqlText.CopyPartitionedTo(selectSql, directory, format, column), what);
            return new Dictionary<string, long>();
        }
        _cancellation.ThrowIfCancellationRequested();
        using var command = _connection.CreateCommand();
        command.CommandText = SqlText.CopyPartitionedTo(selectSql, directory, format, column);
        try
        {
            using var reader = command.ExecuteReader();
            var (file, count) = (reader.GetOrdinal("filename"), reader.GetOrdinal("count"));
            var rows = new Dictionary<string, long>(StringComparer.Ordinal);
            while (reader.Read()) rows[Path.GetFullPath(reader.GetString(file))] = Convert.ToInt64(reader.GetValue(count), System.Globalization.CultureInfo.InvariantCulture);
            return rows;
        }
        catch (DuckDBException e)
        {
            _cancellation.ThrowIfCancellationRequested();
            throw DuckDbFailures.From(e.Message, what, _scratchRoot, e);
        }
    }

    private long RowsWritten(string copy, string what)
    {
        _cancellation.ThrowIfCancellationRequested();
        var state = NativeMethods.Query.DuckDBQuery(_connection.NativeConnection, copy, out var result);
        try
        {
            if (state == DuckDBState.Success) return NativeMethods.Query.DuckDBRowsChanged(ref result);
            var error = NativeMethods.Query.DuckDBResultError(ref result);
            _cancellation.ThrowIfCancellationRequested();
            throw DuckDbFailures.From(error, what, _scratchRoot);
        }
        finally
        {
            NativeMethods.Query.DuckDBDestroyResult(ref result);
        }
    }

    /// <summary>
    /// DuckDB's Parquet writer stores HUGEINT (what sum() of integers returns) as DOUBLE, so 6998 would come back
    /// as 6998.0 and lose precision past 2^53. Such columns are written as DECIMAL(38,0) instead: exact, and summed
    /// again exactly by a merge step.
    /// </summary>
    public string WithExactIntegers(string selectSql, string what)
    {
        var huge = Columns(selectSql, what).Where(c => c.Type is "HUGEINT" or "UHUGEINT").Select(c => c.Name).ToList();
        if (huge.Count == 0) return selectSql;
        var casts = string.Join(", ", huge.Select(c => $"CAST({SqlText.Identifier(c)} AS DECIMAL(38, 0)) AS {SqlText.Identifier(c)}"));
        return $"SELECT * REPLACE ({casts}) FROM ({SqlText.WithoutTrailingSemicolons(selectSql)}\n) AS step_result";
    }

    /// <summary>The DuckDB type of the first column of <paramref name="selectSql"/>.</summary>
    public string TypeOf(string selectSql, string what) => Columns(selectSql, what)[0].Type;

    /// <summary>The columns <paramref name="selectSql"/> would return, with their DuckDB types, without running it.</summary>
    public IReadOnlyList<(string Name, string Type)> Columns(string selectSql, string what)
    {
        _cancellation.ThrowIfCancellationRequested();
        using var command = _connection.CreateCommand();
        command.CommandText = $"DESCRIBE {SqlText.WithoutTrailingSemicolons(selectSql)}\n";
        try
        {
            using var reader = command.ExecuteReader();
            var columns = new List<(string, string)>();
            while (reader.Read()) columns.Add((reader.GetString(0), reader.GetString(1)));
            return columns;
        }
        catch (DuckDBException e)
        {
            throw DuckDbFailures.From(e.Message, what, _scratchRoot, e);
        }
    }

    /// <summary>The first column of every row of <paramref name="sql"/>, as text.</summary>
    public IReadOnlyList<string> Column(string sql, string what) => Rows(sql, what).Select(row => row[0]).ToList();

    /// <summary>Every row of <paramref name="sql"/>, each column as text (empty for NULL).</summary>
    public IReadOnlyList<string[]> Rows(string sql, string what)
    {
        _cancellation.ThrowIfCancellationRequested();
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            using var reader = command.ExecuteReader();
            var rows = new List<string[]>();
            while (reader.Read())
            {
                var row = new string[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? "" : reader.GetString(i);
                rows.Add(row);
            }
            return rows;
        }
        catch (DuckDBException e)
        {
            throw DuckDbFailures.From(e.Message, what, _scratchRoot, e);
        }
    }

    public object? Execute(string sql, string what)
    {
        _cancellation.ThrowIfCancellationRequested();
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            return command.ExecuteScalar();
        }
        catch (DuckDBException e) when (_cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException($"The {what} was cancelled.", e, _cancellation);
        }
        catch (DuckDBException e)
        {
            throw DuckDbFailures.From(e.Message, what, _scratchRoot, e);
        }
    }

    public void Dispose()
    {
        // Unregister first: it waits for a running interrupt, which must not touch a closed connection.
        _interruptOnCancel.Dispose();
        _connection.Dispose();
    }
}
