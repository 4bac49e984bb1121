using Orchestration.DataProcessing.LocalData;
using Orchestration.Graphs;

namespace Orchestration.Hosting;

/// <summary>How an embedded engine runs: where its data lives and how many tasks its workers run at once.</summary>
/// <param name="DataDirectory">Holds the event log, checkpoints, blobs and the workers' scratch space.</param>
/// <param name="Workers">Concurrent task slots (worker threads), each with its own sandboxed DuckDB.</param>
/// <param name="FlushToDisk">fsync each group commit; off only for throwaway runs (benchmarks).</param>
/// <param name="ShutdownGrace">How long running tasks may finish on shutdown before they are cancelled (and abandoned).</param>
/// <param name="LocalRoots">The directories steps may read in place as <c>local://name/glob</c>; none by default.</param>
/// <param name="Schedules">Graphs with schedules to fire while the engine runs; none by default (a one-off command fires none).</param>
/// <param name="Labels">Labels of the in-process worker besides <c>mode=embedded</c>, for steps placed by label.</param>
public sealed record EngineOptions(string DataDirectory, int Workers, bool FlushToDisk = true, TimeSpan? ShutdownGrace = null, LocalRoots? LocalRoots = null,
    GraphCatalog? Schedules = null, IReadOnlyDictionary<string, string>? Labels = null)
{
    /// <summary>The shutdown grace, 10 s unless set.</summary>
    public TimeSpan Grace => ShutdownGrace ?? TimeSpan.FromSeconds(10);

    /// <summary>The event log's folder.</summary>
    public string EventsDirectory => Path.Combine(DataDirectory, "events");
    /// <summary>The followers' checkpoints.</summary>
    public string CheckpointsDirectory => Path.Combine(DataDirectory, "checkpoints");
    /// <summary>The process list saved by the engine, from which a new <c>orch status</c> folds only the log's tail.</summary>
    public string ProcessListFile => ProcessListFileOf(DataDirectory);
    /// <inheritdoc cref="ProcessListFile"/>
    public static string ProcessListFileOf(string dataDirectory) => Path.Combine(dataDirectory, "views", "process-list.json");
    /// <summary>The local blob store.</summary>
    public string BlobsDirectory => Path.Combine(DataDirectory, "blobs");

    /// <summary>The task cache: each recorded task result under its cache key.</summary>
    public string CacheDirectory => Path.Combine(DataDirectory, "cache");
    /// <summary>The workers' scratch space.</summary>
    public string ScratchDirectory => Path.Combine(DataDirectory, "scratch");
}
