using System.Globalization;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.LocalData;
using Orchestration.DataProcessing.Sql;
using Orchestration.DataProcessing.Workers;

namespace LogPipeline;

/// <summary>
/// The log pipeline's per-node step (<c>StepWork.Code("security-logs")</c>): for each rotated raw log under the local
/// root named by parameter <c>root</c> (default <c>logs</c>), publishes its SECURITY lines as JSON lines and the raw file
/// itself, both gzipped, as <c>logs/&lt;Region-Zone-Node&gt;-SECURITY|RAW-&lt;yyyymmddhhmm&gt;.json.gz</c>, and only then deletes
/// the raw file. A crash in between leaves the file in place; the next attempt writes the same bytes again (accepted by
/// the write-once store) and then deletes it. No rotated file is not a failure: the task reports
/// <c>warning=raw_logs_not_found at &lt;time&gt;</c> and <c>at</c>.
/// </summary>
/// <param name="beforeDelete">Called after both uploads of a file, before it is deleted: where a fault drill strikes.</param>
public sealed class SecurityLogsStep(TimeProvider clock, Action<RotatedLog>? beforeDelete = null) : ICodeStep
{
    public const string StepName = "security-logs";
    public const string BlobFolder = "logs";
    private const string SecuritySql = "SELECT * FROM input WHERE level = 'SECURITY'";

    public string Name => StepName;

    public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
    {
        var worker = context.Worker;
        var node = NodeName.Of(worker.Labels);
        var rotated = RotatedLogs.In(worker.LocalRoots, context.Task.Parameters.GetValueOrDefault("root", "logs"));
        if (rotated.Count == 0)
        {
            var at = clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            // "warning" is the engine's word for a success with something to say: history and describe print it.
            return new CodeStepResult([], new Dictionary<string, string> { ["warning"] = $"raw_logs_not_found at {at}", ["at"] = at });
        }

        var published = new List<BlobRef>();
        long securityRows = 0, rawRows = 0;
        foreach (var log in rotated)
        {
            var (security, raw) = await PublishAsync(context, node, log, cancellationToken);
            published.Add(security);
            published.Add(raw);
            (securityRows, rawRows) = (securityRows + security.Rows, rawRows + raw.Rows);
            beforeDelete?.Invoke(log);
            // Both puts returned: the store holds both blobs, so the node's copy is no longer the only one.
            File.Delete(log.File.RealPath);
        }
        return new CodeStepResult([], new Dictionary<string, string>
        {
            ["files"] = rotated.Count.ToString(CultureInfo.InvariantCulture),
            ["security_rows"] = securityRows.ToString(CultureInfo.InvariantCulture),
            ["raw_rows"] = rawRows.ToString(CultureInfo.InvariantCulture),
        }, published);
    }

    public static string BlobName(string node, string kind, string stamp) => BlobNames.Validate($"{BlobFolder}/{node}-{kind}-{stamp}.json.gz");

    private static async Task<(BlobRef Security, BlobRef Raw)> PublishAsync(CodeStepContext context, string node, RotatedLog log, CancellationToken cancellationToken)
    {
        // Linked into the task's scratch, where the DuckDB sandbox may read it, under a name that picks the JSON reader.
        var linked = context.OutputFile($"raw-{log.Stamp}.json");
        FileLink.LinkOrCopy(log.File.RealPath, linked);
        var filtered = context.OutputFile($"security-{log.Stamp}.json");
        // DuckDB cannot infer the columns of an empty file; its SECURITY lines are none.
        if (log.File.Size == 0) await File.WriteAllBytesAsync(filtered, [], cancellationToken);
        else await Task.Run(() => context.Sql.Run(new SqlRequest(SecuritySql, [new SqlInput("input", linked)], filtered, OutputFormat.Json,
            new Dictionary<string, string>()), cancellationToken), cancellationToken);

        var security = await PutGzippedAsync(context, filtered, BlobName(node, "SECURITY", log.Stamp), cancellationToken);
        var raw = await PutGzippedAsync(context, linked, BlobName(node, "RAW", log.Stamp), cancellationToken);
        return (security, raw);
    }

    private static async Task<BlobRef> PutGzippedAsync(CodeStepContext context, string file, string name, CancellationToken cancellationToken)
    {
        var gzipped = file + ".gz";
        var lines = await Gzip.CompressAsync(file, gzipped, cancellationToken);
        await using var content = File.OpenRead(gzipped);
        using var span = WorkerTelemetry.StartBlob("upload blob", name, content.Length);
        return await context.Worker.Blobs.PutAsync(name, content, lines, cancellationToken);
    }
}
