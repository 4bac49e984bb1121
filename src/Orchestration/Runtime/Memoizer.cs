using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Work is never done twice: before the dispatcher sends tasks of steps that reuse results, it looks their cache keys up
/// (one lookup per batch); a task whose key has a recorded result with its outputs still present is confirmed from it by
/// the aggregate (<see cref="ReuseTask"/>), and no worker runs it. The results workers report are recorded under their
/// keys as the follower reads their confirmations. A cache that cannot be reached, or a reuse the aggregate refuses,
/// only means the task runs.
/// </summary>
public sealed class Memoizer(ITaskCache cache, ProcessRuntime runtime) : IFollowerHandler
{
    /// <summary>The tasks of <paramref name="ready"/> to send: those not confirmed from a recorded result.</summary>
    public async Task<List<(OpenAttempt Attempt, RunTask Task)>> WithoutReusedAsync(List<(OpenAttempt Attempt, RunTask Task)> ready, CancellationToken cancellationToken)
    {
        var keyed = ready.Where(r => r.Task.CacheKey is not null && r.Attempt.Scheduled.CopyOf is null).ToList();
        if (keyed.Count == 0) return ready;
        IReadOnlyDictionary<string, CachedResult> found;
        try { found = await cache.FindAsync(keyed.Select(r => r.Task.CacheKey!).Distinct().ToList(), cancellationToken); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return ready; } // the cache is away: the tasks run
        if (found.Count == 0) return ready;
        var reused = await Task.WhenAll(keyed.Where(r => found.ContainsKey(r.Task.CacheKey!)).Select(async r =>
        {
            var hit = found[r.Task.CacheKey!];
            try
            {
                var decision = await runtime.SendAsync(new ReuseTask(r.Task.ProcessId, r.Task.TaskId, r.Task.Attempt, hit.Task, hit.Worker, hit.Outputs, hit.Metadata, hit.Metrics, r.Task.CacheKey!));
                return decision.Dropped is null ? r.Attempt : null;
            }
            catch (Exception) { return null; } // refused, or the store is away: the task runs
        }));
        var done = reused.OfType<OpenAttempt>().ToHashSet();
        foreach (var attempt in done) attempt.MarkSent(null); // confirmed: nothing to send, now or after a restart
        return done.Count == 0 ? ready : ready.Where(r => !done.Contains(r.Attempt)).ToList();
    }

    public Task StartAsync(RuntimeView view, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Records each result a worker reported for a task with a cache key (a reused one is recorded already).</summary>
    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RuntimeView view, CancellationToken cancellationToken)
    {
        var results = new List<(string, CachedResult)>();
        foreach (var stored in events)
            if (stored.Event is TaskConfirmed { CacheKey: { } key, ReusedFrom: null } c)
                results.Add((key, new CachedResult(c.TaskId, c.Worker, c.Outputs, c.Metadata, c.Metrics)));
        if (results.Count == 0) return;
        try { await cache.RecordAsync(results, cancellationToken); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { } // not recorded: a later task over the same bytes runs again
    }

    public TimeSpan? NextDue(RuntimeView view) => null;
}
