using System.Diagnostics;
using System.Globalization;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Concurrency;
using Orchestration.DataProcessing.LocalData;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.Workers;

/// <summary>What running a task came to: the event the worker publishes.</summary>
public sealed record TaskOutcome(TaskCompleted? Completed, TaskFailed? Failed)
{
    public object Message => (object?)Completed ?? Failed!;
}

/// <summary>
/// Runs one attempt of one task on a worker: fetches the input blobs into a sandbox's scratch directory (and links
/// the files of <c>local://</c> inputs there from the worker's allow-listed roots), runs the step (DuckDB SQL, a shuffle's partitioning, or a registered C# step), writes the outputs as new
/// immutable blobs named by task and attempt, and reports the outcome. It knows nothing of the graph.
/// </summary>
public sealed class TaskRunner(IBlobStore blobs, SandboxPool sandboxes, CodeStepRegistry codeSteps, WorkerId worker, LocalRoots? localRoots = null,
    IReadOnlyDictionary<string, string>? labels = null)
{
    private readonly LocalRoots _localRoots = localRoots ?? LocalRoots.None;
    private readonly CodeStepWorker _self = new(worker, labels ?? new Dictionary<string, string>(), localRoots ?? LocalRoots.None, blobs);

    public WorkerId Worker => worker;

    /// <summary>
    /// Runs the attempt, for at most its task timeout: then the step is stopped (DuckDB interrupted, a C# step's token
    /// cancelled), its slot freed, and the attempt reported failed as timed out. A C# step that reports progress where
    /// its graph allows it (<see cref="RunTask.ProgressExtendsUpTo"/>) gets one more task timeout from each report, up to
    /// that limit; each report also goes to <paramref name="progress"/>. Cancelled by <paramref name="cancellationToken"/>
    /// (shutdown), the attempt is abandoned instead: the broker hands it to another worker.
    /// </summary>
    public async Task<TaskOutcome> RunAsync(RunTask task, CancellationToken cancellationToken, Action<string>? progress = null)
    {
        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ran = Stopwatch.StartNew();
        if (task.TaskTimeout > TimeSpan.Zero) timeLimit.CancelAfter(task.TaskTimeout);
        void Reported(string details)
        {
            if (task.TaskTimeout > TimeSpan.Zero && task.ProgressExtendsUpTo > task.TaskTimeout && !timeLimit.IsCancellationRequested)
            {
                var left = task.ProgressExtendsUpTo - ran.Elapsed;
                try { timeLimit.CancelAfter(left < task.TaskTimeout ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : task.TaskTimeout); }
                catch (ObjectDisposedException) { } // the attempt ended meanwhile
            }
            progress?.Invoke(details);
        }
        try
        {
            return await RunWithinAsync(task, Reported, timeLimit.Token);
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var seconds = ran.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            var allowed = task.TaskTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return new TaskOutcome(null, new TaskFailed(task.ProcessId, task.TaskId, task.Attempt, worker,
                $"timed out after {seconds} s on {worker}: the worker stopped the step at its task timeout ({allowed} s{(task.ProgressExtendsUpTo > task.TaskTimeout ? $", extended by progress up to {task.ProgressExtendsUpTo.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : "")})",
                Retryable: true, TimedOut: true));
        }
    }

    private async Task<TaskOutcome> RunWithinAsync(RunTask task, Action<string> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var span = WorkerTelemetry.StartTask(task, worker);
        var sandbox = await sandboxes.RentAsync(cancellationToken);
        var scratch = new TaskScratch(sandbox, $"{task.TaskId.Value}-a{task.Attempt}");
        var fetched = new List<(string Local, string Shown)>();
        var compactions = new List<Compaction>();
        try
        {
            var (inputs, bytesRead, localBytes) = await FetchAsync(task, scratch, fetched, compactions, cancellationToken);
            var (files, metadata, published) = await RunStepAsync(task, scratch, inputs, progress, cancellationToken);
            var outputs = (await UploadAsync(task, files, cancellationToken)).Concat(published).ToList();
            var rows = outputs.Sum(o => Math.Max(0, o.Rows));
            var bytes = outputs.Sum(o => o.Size);
            var meta = new Dictionary<string, string>(metadata)
            {
                ["rows"] = rows.ToString(CultureInfo.InvariantCulture),
                ["bytes"] = bytes.ToString(CultureInfo.InvariantCulture),
            };
            var metrics = new TaskMetrics(rows, bytes, bytesRead, clock.Elapsed, localBytes);
            return WorkerTelemetry.Ran(span, clock.Elapsed, new TaskOutcome(new TaskCompleted(task.ProcessId, task.TaskId, task.Attempt, worker, outputs, meta, metrics, task.CacheKey), null));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // abandoned (shutdown, lost broker connection): the message goes back to the queue for another worker
        }
        catch (Exception error) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelling interrupts DuckDB ("INTERRUPT Error") or a transfer mid-way: that is the abandonment, not a fault of
            // the task, so the task goes back to the queue rather than being reported as failed for good.
            throw new OperationCanceledException($"Task {task.TaskId} attempt {task.Attempt} was abandoned: {error.Message}", error, cancellationToken);
        }
        catch (Exception error)
        {
            var (message, retryable) = Describe(task, error);
            // The user knows their blobs and local files, not this worker's scratch paths.
            foreach (var (local, shown) in fetched) message = message.Replace(local, shown);
            return WorkerTelemetry.Ran(span, clock.Elapsed, new TaskOutcome(null, new TaskFailed(task.ProcessId, task.TaskId, task.Attempt, worker, message, retryable)));
        }
        finally
        {
            if (compactions.Count > 0 && !cancellationToken.IsCancellationRequested) CompactAfter(scratch, compactions);
            else
            {
                scratch.Dispose();
                sandboxes.Return(sandbox);
            }
        }
    }

    /// <summary>How many of a task's input blobs are downloaded at once: a merge over 100 partials waits on round trips, not bandwidth.</summary>
    private const int ParallelDownloads = 8;

    /// <summary>
    /// Blobs are fetched, several at once (downloaded, or linked from a blob store on this disk, their hash checked); local
    /// files are linked where they lie (bytes scanned locally). A SQL task's many small partials of one view come as
    /// compacted groups (<see cref="InputCompaction"/>) when this worker's store has them; those it has not are fetched
    /// as they are and compacted after the task (<see cref="CompactAfter"/>).
    /// </summary>
    private async Task<(IReadOnlyList<SqlInput> Inputs, long BytesRead, long LocalBytes)> FetchAsync(
        RunTask task, TaskScratch scratch, List<(string Local, string Shown)> fetched, List<Compaction> compactions, CancellationToken cancellationToken)
    {
        var inputs = new List<SqlInput>(task.Inputs.Count);
        var downloads = new List<(BlobRef Blob, string Local)>();
        var groups = InputCompaction.Plan(task);
        var linkedGroups = new HashSet<InputGroup>(ReferenceEqualityComparer.Instance);
        long bytes = 0, localBytes = 0;
        for (var i = 0; i < task.Inputs.Count; i++)
        {
            var input = task.Inputs[i];
            if (LocalInput.IsLocal(input.Blob))
            {
                var files = LocalFiles.Resolve(_localRoots, input.Blob);
                for (var f = 0; f < files.Count; f++)
                {
                    var linked = scratch.File($"in-{i}-{f}{LocalExtension(files[f].RealPath)}");
                    fetched.Add((linked, files[f].Shown));
                    FileLink.LinkOrCopy(files[f].RealPath, linked);
                    inputs.Add(new SqlInput(input.Name, linked));
                    localBytes += files[f].Size;
                }
                continue;
            }
            if (groups[i] is { } group)
            {
                if (linkedGroups.Contains(group)) continue; // read as the group, in its first member's place
                if (group.Members[0] == i)
                {
                    var compacted = scratch.File($"group-{i}.parquet");
                    if (sandboxes.Compacted.TryLink(group.Key, compacted))
                    {
                        linkedGroups.Add(group);
                        fetched.Add((compacted, $"{group.Members.Length} '{input.Name}' inputs compacted (the first {input.Blob.Uri})"));
                        inputs.Add(new SqlInput(input.Name, compacted));
                        bytes += group.Members.Sum(m => task.Inputs[m].Blob.Size);
                        continue;
                    }
                    // Read as they are, and compacted once the task is done, for the next task that reads them.
                    compactions.Add(new Compaction(group.Members.Select(m => InputFile(scratch, task, m)).ToList(), compacted, group.Key));
                }
            }
            var local = InputFile(scratch, task, i);
            fetched.Add((local, input.Blob.Uri.ToString()));
            downloads.Add((input.Blob, local));
            inputs.Add(new SqlInput(input.Name, local));
            bytes += input.Blob.Size;
        }
        async ValueTask Fetch((BlobRef Blob, string Local) download, CancellationToken token)
        {
            using (WorkerTelemetry.StartBlob("download blob", download.Blob.Uri.ToString(), download.Blob.Size))
                await blobs.FetchForReadingAsync(download.Blob, download.Local, token);
        }
        await Bounded.ForEachAsync(ParallelDownloads, downloads, cancellationToken, Fetch);
        return (inputs, bytes, localBytes);
    }

    /// <summary>Where input <paramref name="index"/>, a blob, is fetched to in the task's scratch directory.</summary>
    private static string InputFile(TaskScratch scratch, RunTask task, int index) => scratch.File($"in-{index}{Extension(task.Inputs[index].Blob)}");

    /// <summary>A group of a task's inputs read as they were, to compact (and keep) once the task is done.</summary>
    private sealed record Compaction(List<string> Members, string Compacted, string Key);

    /// <summary>
    /// Once the outcome is out, the groups the task read as they were are compacted on its sandbox, in the background:
    /// the task never waits for it, and the next to read them (a memoized re-run's merge) finds them kept. The task's
    /// files are removed after; a group that cannot be compacted (columns that differ) is not kept, and is read as it is.
    /// </summary>
    private void CompactAfter(TaskScratch scratch, List<Compaction> compactions)
    {
        sandboxes.ReturnAfter(scratch.Sandbox, (sandbox, stopping) =>
        {
            using (scratch)
                foreach (var compaction in compactions)
                    if (sandbox.Compact(compaction.Members, compaction.Compacted, stopping))
                        sandboxes.Compacted.Keep(compaction.Key, compaction.Compacted);
        });
    }

    private async Task<(IReadOnlyList<CodeStepOutput> Files, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<BlobRef> Published)> RunStepAsync(
        RunTask task, TaskScratch scratch, IReadOnlyList<SqlInput> inputs, Action<string> progress, CancellationToken cancellationToken)
    {
        var sandbox = scratch.Sandbox;
        using var span = WorkerTelemetry.Source.StartActivity(task.Work.Kind switch { WorkKind.Code => "code step", WorkKind.Sql => "duckdb query", _ => "duckdb partition" });
        if (task.Work.Kind == WorkKind.Code)
        {
            var ran = await codeSteps.Get(task.Work.Body, task.Work.Version).RunAsync(new CodeStepContext(task, inputs, name => scratch.File($"out-{name}"), sandbox, _self, progress), cancellationToken);
            return (ran.Outputs, ran.Metadata, ran.Published ?? []);
        }
        var output = scratch.File("part-0.parquet");
        var request = new SqlRequest(task.Work.Body, inputs, output, OutputFormat.Parquet, task.Parameters);
        switch (task.Work.Kind)
        {
            case WorkKind.Sql:
                var result = await Task.Run(() => sandbox.Run(request, cancellationToken), cancellationToken);
                var metadata = new Dictionary<string, string> { [SqlMetadata.Rows] = result.Rows.ToString(CultureInfo.InvariantCulture) };
                foreach (var (key, column) in task.Lists ?? new Dictionary<string, string>())
                    metadata[key] = await Task.Run(() => sandbox.DistinctValues(output, column, cancellationToken), cancellationToken);
                return ([new CodeStepOutput(output, result.Rows)], metadata, []);
            default:
                var buckets = int.Parse(task.Parameters.GetValueOrDefault("buckets", "1"), CultureInfo.InvariantCulture);
                var parts = await Task.Run(() => sandbox.Partition(request with { Sql = "" }, task.Work.Body, buckets, task.Work.Version, cancellationToken), cancellationToken);
                var used = new Dictionary<string, string> { [StepWork.BucketFunctionMetadata] = task.Work.Version.ToString(CultureInfo.InvariantCulture) };
                return (parts.Select((p, b) => new CodeStepOutput(SqlSandbox.BucketFile(output, b, OutputFormat.Parquet), p.Rows)).ToArray(), used, []);
        }
    }

    private async Task<IReadOnlyList<BlobRef>> UploadAsync(RunTask task, IReadOnlyList<CodeStepOutput> files, CancellationToken cancellationToken)
    {
        var outputs = new List<BlobRef>(files.Count);
        foreach (var file in files)
        {
            var name = BlobNames.ForOutput(task.TaskId, task.Attempt, Path.GetFileName(file.File));
            await using var content = File.OpenRead(file.File);
            using var span = WorkerTelemetry.StartBlob("upload blob", name, content.Length);
            outputs.Add(await blobs.PutAsync(name, content, file.Rows, cancellationToken));
        }
        return outputs;
    }

    internal static string Extension(BlobRef blob)
    {
        var extension = Path.GetExtension(blob.Uri.AbsolutePath).ToLowerInvariant();
        return extension is ".parquet" or ".csv" or ".json" or ".jsonl" or ".ndjson" ? extension : ".parquet";
    }

    /// <summary>The reader follows the extension, so a compressed file keeps its inner one too (<c>.csv.gz</c>).</summary>
    private static string LocalExtension(string file)
    {
        var extension = Path.GetExtension(file).ToLowerInvariant();
        return extension is ".gz" or ".zst" ? Path.GetExtension(Path.GetFileNameWithoutExtension(file)).ToLowerInvariant() + extension : extension;
    }

    private static (string Message, bool Retryable) Describe(RunTask task, Exception error) => error switch
    {
        StepFailure failure => (failure.Message, failure.Retryable),
        BlobCorruptException corrupt => ($"Input of step '{task.Step}' cannot be used: {corrupt.Message}", false),
        ArgumentException bad => ($"Step '{task.Step}' was given a bad input: {bad.Message}", false),
        _ => ($"Step '{task.Step}' failed unexpectedly on this worker ({error.GetType().Name}): {error.Message}", true),
    };
}
