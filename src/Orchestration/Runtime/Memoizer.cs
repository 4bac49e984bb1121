using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Work is never done twice: before the dispatcher sends tasks of steps that reuse results, it looks their cache keys up
/// (one lookup per batch); a task whose key has a recorded result with its outputs still present is confirmed from it by
/// the aggregate (<see cref="ReuseTask"/>), and no worker runs it. The results workers report are recorded under their
/// keys as the follower reads their confirmations, and compared with what is recorded: another task's different result
/// for the same key flags the step as non-deterministic. A cache that cannot be reached, or a reuse the aggregate
/// refuses, only means the task runs.
/// </summary>
public sealed class Memoizer(ITaskCache cache, ProcessRuntime runtime, ReuseGate? gate = null) : IFollowerHandler
{
    /// <summary>Held by the dispatcher from a batch's look-up to its reuses' confirmation, and by a prune (<see cref="ReuseGate"/>).</summary>
    public ReuseGate Gate { get; } = gate ?? new ReuseGate();

    /// <summary>Splits <paramref name="ready"/> (tasks of steps that reuse results) into those with a recorded result to reuse and those to send.</summary>
    public async Task<(List<(OpenAttempt Attempt, RunTask Task, CachedResult Result)> Hits, List<(OpenAttempt Attempt, RunTask Task)> Misses)> LookUpAsync(
        List<(OpenAttempt Attempt, RunTask Task)> ready, CancellationToken cancellationToken)
    {
        static bool Candidate(OpenAttempt attempt, RunTask task) => task.CacheKey is not null && attempt.Scheduled.CopyOf is null;
        var keys = ready.Where(r => Candidate(r.Attempt, r.Task)).Select(r => r.Task.CacheKey!).Distinct().ToList();
        if (keys.Count == 0) return ([], ready);
        IReadOnlyDictionary<string, CachedResult> found;
        try { found = await cache.FindAsync(keys, cancellationToken); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return ([], ready); } // the cache is away: the tasks run
        if (found.Count == 0) return ([], ready);
        var hits = new List<(OpenAttempt, RunTask, CachedResult)>();
        var misses = new List<(OpenAttempt, RunTask)>();
        foreach (var (attempt, task) in ready)
            if (Candidate(attempt, task) && found.TryGetValue(task.CacheKey!, out var result)) hits.Add((attempt, task, result));
            else misses.Add((attempt, task));
        return (hits, misses);
    }

    /// <summary>Confirms each hit from its recorded result; returns those the aggregate did not take (to be sent after all).</summary>
    public async Task<List<(OpenAttempt Attempt, RunTask Task)>> ReuseAsync(List<(OpenAttempt Attempt, RunTask Task, CachedResult Result)> hits)
    {
        var outcomes = await Task.WhenAll(hits.Select(async hit =>
        {
            var (attempt, task, result) = hit;
            try
            {
                // Confirmed, or dropped as no longer needed (confirmed meanwhile, its process ended): nothing to send, now or after a restart.
                await runtime.SendAsync(new ReuseTask(task.ProcessId, task.TaskId, task.Attempt, result.Task, result.Worker, result.Outputs, result.Metadata, result.Metrics, task.CacheKey!));
                attempt.MarkSent(null);
                return true;
            }
            catch (Exception) { return false; } // refused, or the store is away: the task runs
        }));
        return hits.Where((_, i) => !outcomes[i]).Select(h => (h.Attempt, h.Task)).ToList();
    }

    public Task StartAsync(RuntimeView view, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Records each result a worker reported for a task with a cache key (a reused one is recorded already); one that
    /// differs from the result recorded for its key by another task flags its step as non-deterministic.
    /// </summary>
    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RuntimeView view, CancellationToken cancellationToken)
    {
        var results = new List<(string, CachedResult)>();
        var processes = new Dictionary<TaskId, ProcessId>();
        foreach (var stored in events)
            if (stored.Event is TaskConfirmed { CacheKey: { } key, ReusedFrom: null } c)
            {
                results.Add((key, new CachedResult(c.TaskId, c.Worker, c.Outputs, c.Metadata, c.Metrics)));
                processes[c.TaskId] = c.ProcessId;
            }
        if (results.Count == 0) return;
        IReadOnlyList<(CachedResult Recorded, CachedResult Offered)> differing;
        try { differing = await cache.RecordAsync(results, cancellationToken); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return; } // not recorded: a later task over the same bytes runs again
        foreach (var (recorded, offered) in differing)
        {
            try
            {
                await runtime.SendAsync(new FlagNondeterminism(processes[offered.Task], offered.Task,
                    $"gave another result than task {recorded.Task} did for the same work over the same bytes: {BlobRef.ShortHashes(offered.Outputs)} against {BlobRef.ShortHashes(recorded.Outputs)}"));
            }
            catch (Exception) { } // a stream this engine cannot write (another version), or the store is away: the warning is lost, the results stand
        }
    }

    public TimeSpan? NextDue(RuntimeView view) => null;
}
