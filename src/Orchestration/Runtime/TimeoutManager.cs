using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <summary>
/// Sends <see cref="TryTimeoutTask"/> when an open attempt's deadline passes, the deadlines taken from the follower's
/// view (moved by starts and beats). It never decides: the aggregate checks its own state, so a timeout for an attempt
/// confirmed in the meantime changes nothing. The timeouts due together are sent together, for the runtime to write in
/// one group commit.
/// </summary>
public sealed class TimeoutManager(ProcessRuntime runtime, TimeProvider clock, TimeSpan? retryAfter = null) : IFollowerHandler
{
    private readonly PriorityQueue<(OpenAttempt Attempt, DateTimeOffset Deadline), DateTimeOffset> _deadlines = new();
    private readonly TimeSpan _retry = retryAfter ?? TimeSpan.FromSeconds(1);

    public Task StartAsync(RuntimeView view, CancellationToken cancellationToken)
    {
        _deadlines.Clear();
        foreach (var attempt in view.OpenAttempts) _deadlines.Enqueue((attempt, attempt.Deadline), attempt.Deadline);
        return Task.CompletedTask;
    }

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RuntimeView view, CancellationToken cancellationToken)
    {
        foreach (var stored in events)
        {
            var task = stored.Event switch
            {
                TaskScheduled s => s.TaskId,
                TaskStartRecorded s => s.TaskId,
                TaskHeartbeatRecorded b => b.TaskId,
                _ => (TaskId?)null,
            };
            if (task is { } id && view.Open(id) is { } open) _deadlines.Enqueue((open, open.Deadline), open.Deadline);
        }
        // Closed attempts leave their entries behind until their deadline comes; a process of a million tasks confirmed long
        // before their timeouts would keep every one of them (and its TaskScheduled) alive. Rebuilt from the open ones instead.
        if (_deadlines.Count > 2 * view.OpenAttempts.Count + 1_024)
        {
            _deadlines.Clear();
            foreach (var attempt in view.OpenAttempts) _deadlines.Enqueue((attempt, attempt.Deadline), attempt.Deadline);
        }
        await SendDueAsync();
    }

    public TimeSpan? NextDue(RuntimeView view) =>
        _deadlines.TryPeek(out _, out var deadline) ? deadline - clock.GetUtcNow() : null;

    private async Task SendDueAsync()
    {
        var now = clock.GetUtcNow();
        var due = new List<OpenAttempt>();
        while (_deadlines.TryPeek(out var entry, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            // Skipped: an attempt no longer open, or whose deadline moved since this entry (a later one is queued).
            if (entry.Attempt.IsOpen && entry.Attempt.Deadline == entry.Deadline) due.Add(entry.Attempt);
        }
        if (due.Count == 0) return;
        var sent = due.Select(async attempt =>
        {
            using var span = EngineTelemetry.StartTaskSpan("time out task", attempt.Scheduled.ProcessId, attempt.Task, attempt.Attempt);
            try
            {
                await runtime.SendAsync(new TryTimeoutTask(attempt.Scheduled.ProcessId, attempt.Task, attempt.Attempt));
                runtime.Counters.TimeoutSent();
                return null;
            }
            catch (DomainError)
            {
                return null; // the process or task is unknown to the aggregate (e.g. a stream from another engine version): nothing to time out
            }
            catch (Exception)
            {
                return attempt; // the store is unreachable: try again a little later
            }
        }).ToList();
        foreach (var failed in await Task.WhenAll(sent))
            if (failed is not null) _deadlines.Enqueue((failed, failed.Deadline), now + _retry);
    }
}
