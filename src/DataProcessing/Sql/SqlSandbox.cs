using System.Diagnostics;
using DuckDB.NET.Data;
using Orchestration.Contracts;

namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Runs a step's DuckDB SQL over local files under one scratch root, and nowhere else. Opening a locked-down
/// DuckDB instance costs far more than a query, so one instance serves the sandbox's whole life and every run
/// gets its own connection to it. Safe to use from several worker threads at once.
/// </summary>
public sealed class SqlSandbox : IDisposable
{
    private const string BucketColumn = "__orchestration_bucket";
    private readonly ScratchPaths _paths;
    private readonly DuckDBConnection _instance;
    private readonly Lock _connecting = new();
    private bool _disposed;

    public SqlSandbox(string scratchRoot, SandboxOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scratchRoot);
        Directory.CreateDirectory(scratchRoot);
        // The real path, so that DuckDB's allowed_directories and our own checks compare the same spelling.
        _paths = new ScratchPaths(RealPath.Resolve(Path.GetFullPath(scratchRoot)));
        _instance = SandboxedInstance.Open(_paths, options ?? new SandboxOptions());
    }

    public string ScratchRoot => _paths.Root;

    /// <summary>Emptied if it exists: a retried attempt on the same worker must not see the files of the last one.</summary>
    public string TaskDirectory(string taskKey)
    {
        var directory = _paths.TaskDirectory(taskKey);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        return directory;
    }

    public void CleanTask(string taskKey)
    {
        var directory = _paths.TaskDirectory(taskKey);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    public SqlResult Run(SqlRequest request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var inputs = ReadableInputs(request);
        var output = _paths.WritableFile(request.OutputFile);
        RefuseOverwritingAnInput(output, inputs);

        using var session = OpenSession(cancellationToken);
        session.Guard(request.Sql, "step SQL");
        session.Prepare(request.Parameters, inputs);
        var sql = request.Format == OutputFormat.Parquet ? session.WithExactIntegers(request.Sql, "step SQL") : request.Sql;
        var rows = session.Copy(sql, output, request.Format, "step SQL");
        return new SqlResult(rows, new FileInfo(output).Length, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// The rows (of view <c>input</c>, or of <see cref="SqlRequest.Sql"/> when it is given) are given their bucket
    /// (<see cref="ShuffleBucket"/>, by <paramref name="bucketFunction"/>) and written in one pass, a file per bucket
    /// (DuckDB's <c>PARTITION_BY</c>): the inputs are read once whatever the bucket count. A bucket no row went to gets an
    /// empty file with the columns. The whole call's time counts in bucket 0, so the durations add up to the call's.
    /// </summary>
    public IReadOnlyList<SqlResult> Partition(SqlRequest request, string keyExpression, int buckets, int bucketFunction = StepWork.LatestBucketFunction, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        if (buckets is < 1 or > StepWork.MaxBuckets) throw StepFailure.Permanent($"A shuffle has 1 to {StepWork.MaxBuckets} buckets, not {buckets}.");
        if (string.IsNullOrWhiteSpace(keyExpression)) throw StepFailure.Permanent("The partition key expression is empty.");
        var inputs = ReadableInputs(request);
        var outputs = Enumerable.Range(0, buckets).Select(b => _paths.WritableFile(BucketFile(request.OutputFile, b, request.Format))).ToList();
        foreach (var output in outputs) RefuseOverwritingAnInput(output, inputs);
        var spread = _paths.WritableFile(Path.Join(Path.GetDirectoryName(request.OutputFile), $"{Path.GetFileNameWithoutExtension(request.OutputFile)}-spread"));
        if (Directory.Exists(spread)) Directory.Delete(spread, recursive: true); // a retry's leftovers

        using var session = OpenSession(ct);
        var source = string.IsNullOrWhiteSpace(request.Sql) ? "FROM input" : SqlText.WithoutTrailingSemicolons(request.Sql);
        if (!string.IsNullOrWhiteSpace(request.Sql)) session.Guard(source, "step SQL");
        // Checked as a whole so that a key expression cannot close the parentheses around it and add a statement.
        var key = $"SELECT (\n{keyExpression}\n) AS key\nFROM (\n{source}\n) AS step_rows";
        session.Guard(key, "partition key expression");
        session.Prepare(request.Parameters, inputs);
        var scatter = $"SELECT *, {ShuffleBucket.Sql(keyExpression, session.TypeOf(key, "partition key expression"), buckets, bucketFunction)} AS {BucketColumn}\nFROM (\n{source}\n) AS step_rows";
        session.Guard(scatter, "partition key expression");
        var written = session.CopyPartitioned(scatter, spread, request.Format, BucketColumn, $"partition by '{keyExpression}'");

        var noRows = $"SELECT * EXCLUDE ({BucketColumn}) FROM ({scatter}) AS no_rows WHERE false";
        var results = new List<SqlResult>(buckets);
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            var rows = CollectBucket(session, Path.Join(spread, $"{BucketColumn}={bucket}"), outputs[bucket], request.Format, noRows, bucket, written);
            results.Add(new SqlResult(rows, new FileInfo(outputs[bucket]).Length, bucket == 0 ? Stopwatch.GetElapsedTime(started) : TimeSpan.Zero));
        }
        Directory.Delete(spread, recursive: true);
        return results;
    }

    /// <summary>Moves a bucket's one file into place (merging several, writing an empty one for none); returns its rows.</summary>
    private static long CollectBucket(SqlSession session, string directory, string output, OutputFormat format, string noRows, int bucket, IReadOnlyDictionary<string, long> written)
    {
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToArray() : [];
        switch (files.Length)
        {
            case 0:
                return session.Copy(noRows, output, format, $"write of empty bucket {bucket}");
            case 1:
                File.Move(files[0], output);
                return written.TryGetValue(Path.GetFullPath(files[0]), out var rows)
                    ? rows
                    : Convert.ToInt64(session.Execute($"SELECT count(*) FROM {SqlText.Reader([output])}", $"count of bucket {bucket}"), System.Globalization.CultureInfo.InvariantCulture);
            default:
                return session.Copy($"SELECT * FROM {SqlText.Reader(files)}", output, format, $"write of bucket {bucket}");
        }
    }

    /// <summary>
    /// Writes the rows of <paramref name="files"/>, in order, to <paramref name="output"/> as one Parquet file, when that
    /// file reads back as the files themselves do (<see cref="PartialCompaction"/>); false, and nothing written, otherwise.
    /// </summary>
    public bool Compact(IReadOnlyList<string> files, string output, CancellationToken cancellationToken = default)
    {
        var inputs = files.Select(_paths.ReadableFile).ToList();
        var target = _paths.WritableFile(output);
        using var session = OpenSession(cancellationToken);
        return PartialCompaction.TryCompact(session, inputs, target);
    }

    /// <summary>
    /// The distinct non-null values of <paramref name="column"/> in a task's result file, in order, as a metadata list
    /// (<see cref="MetadataList"/>): what a later step fans out over.
    /// </summary>
    public string DistinctValues(string resultFile, string column, CancellationToken cancellationToken = default)
    {
        var file = _paths.ReadableFile(resultFile);
        using var session = OpenSession(cancellationToken);
        var values = session.Column($"SELECT DISTINCT CAST({SqlText.Identifier(column)} AS VARCHAR) AS v FROM {SqlText.Reader([file])} WHERE v IS NOT NULL ORDER BY v",
            $"list of column '{column}'");
        return MetadataList.Format(values);
    }

    /// <summary>&lt;OutputFile without extension&gt;-bucket-&lt;b&gt;.&lt;ext&gt;; the format's extension when the output file has none.</summary>
    public static string BucketFile(string outputFile, int bucket, OutputFormat format)
    {
        var extension = Path.GetExtension(outputFile);
        if (extension.Length == 0) extension = SqlText.Extension(format);
        return Path.Join(Path.GetDirectoryName(outputFile), $"{Path.GetFileNameWithoutExtension(outputFile)}-bucket-{bucket}{extension}");
    }

    public void Dispose()
    {
        lock (_connecting)
        {
            if (_disposed) return;
            _disposed = true;
            _instance.Dispose();
        }
    }

    private List<(string View, string File)> ReadableInputs(SqlRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Inputs.Select(input => (input.View, _paths.ReadableFile(input.Path))).ToList();
    }

    private static void RefuseOverwritingAnInput(string output, List<(string View, string File)> inputs)
    {
        if (inputs.Any(input => input.File == output))
            throw StepFailure.Permanent($"The output file '{output}' is also an input; inputs are immutable.");
    }

    private SqlSession OpenSession(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DuckDBConnection connection;
        lock (_connecting)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            connection = _instance.Duplicate();
            connection.Open();
        }
        return new SqlSession(connection, _paths.Root, cancellationToken);
    }
}
