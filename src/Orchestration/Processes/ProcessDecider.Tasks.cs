using Orchestration.Contracts;

namespace Orchestration.Processes;

public static partial class ProcessDecider
{
    /// <param name="reusedFrom">The task whose recorded result confirms this one (memoized), or null when a worker ran it.</param>
    private static Decision Confirm(ProcessState state, ConfirmTask c, DateTimeOffset now, TaskId? reusedFrom = null)
    {
        if (Stale(state, c.ProcessId, c.TaskId, c.Attempt, out var task) is { } dropped) return dropped;
        if (task.Status == TaskStatus.Confirmed)
            return BlobRef.SameContent(task.Outputs, c.Outputs) || task.Step.NondeterministicBecause is not null
                ? Decision.Drop(DropKind.DuplicateConfirmation, $"task {c.TaskId} was already confirmed (attempt {task.Attempt} by {task.Worker})")
                : Decision.Of([new StepNondeterministic(state.Id, task.Step.Name, c.TaskId,
                    $"gave two results over the same inputs: attempt {c.Attempt} on {c.Worker} wrote {BlobRef.ShortHashes(c.Outputs)}, the confirmed attempt {task.Attempt} on {task.Worker} {BlobRef.ShortHashes(task.Outputs)}", now)]);

        var confirmed = new TaskConfirmed(c.ProcessId, c.TaskId, c.Attempt, c.Worker, c.Outputs, c.Metadata, c.Metrics, now, reusedFrom, c.CacheKey);
        var step = task.Step;
        if (step.Confirmed + 1 < step.TaskCount && step.Scheduled < step.TaskCount)
        {
            // A concurrency limit held tasks back: this confirmation makes room for the next.
            var more = new Planner(state, state.Id, state.Graph!, state.Datasets, now, confirming: c);
            more.Emit(confirmed);
            more.ScheduleMore(step.Definition, step.Scheduled, step.Scheduled - step.Confirmed - 1);
            return Decision.Of(more.Events);
        }
        if (step.Confirmed + 1 < step.TaskCount)
            return Decision.Of([confirmed]); // the common case, kept free of planning work

        var plan = new Planner(state, state.Id, state.Graph!, state.Datasets, now, confirming: c);
        plan.Emit(confirmed);
        plan.CompleteStep(task.Step.Definition);
        plan.CompleteProcessIfDone();
        return Decision.Of(plan.Events);
    }

    private static Decision Fail(ProcessState state, FailTask c, DateTimeOffset now)
    {
        if (Stale(state, c.ProcessId, c.TaskId, c.Attempt, out var task) is { } dropped) return dropped;
        if (task.Status == TaskStatus.Confirmed)
            return Decision.Drop(DropKind.DuplicateConfirmation, $"task {c.TaskId} failed on {c.Worker} after it was confirmed; the confirmation stands");

        var failed = new TaskAttemptFailed(c.ProcessId, c.TaskId, c.Attempt, c.Worker, c.Error, c.Retryable, now, c.TimedOut);
        if (c.Attempt == task.CopyOf) return Decision.Of([failed]); // the straggler failed; its copy runs on
        return RetryOrFail(state, task, failed, c.Error, c.Retryable, now);
    }

    private static Decision TryTimeout(ProcessState state, TryTimeoutTask c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        var task = KnownTask(state, c.TaskId);
        if (state.HasEnded) return Decision.Drop(DropKind.StaleTimeout, $"process {c.ProcessId} has ended");
        if (!IsOpen(state, task, c.Attempt))
            return Decision.Drop(DropKind.StaleTimeout, $"task {c.TaskId} attempt {c.Attempt} is no longer running (now attempt {task.Attempt}, {task.Status})");
        if (state.Status == ProcessStatus.Paused && task.StartedOn is null)
            return Decision.Drop(DropKind.StaleTimeout, $"process {c.ProcessId} is paused and task {c.TaskId} attempt {c.Attempt} never started: it gets a fresh attempt on resume");
        if (now < task.Deadline)
            return Decision.Drop(DropKind.NotYetDue, $"task {c.TaskId} attempt {c.Attempt} is due at {task.Deadline:O}, not yet");

        var timedOut = new TaskTimedOut(c.ProcessId, c.TaskId, c.Attempt, task.Deadline, now);
        return RetryOrFail(state, task, timedOut, TimeoutReason(task), retryable: true, now);
    }

    /// <summary>Why an attempt is late: it ran too long on its worker, its one worker never took it, or no worker did.</summary>
    private static string TimeoutReason(TaskState task)
    {
        var policy = task.Step.Definition.Retry;
        if (task.StartedOn is { } worker)
            return task.Cap is { } cap && task.Deadline >= cap
                ? $"timed out after {Describe(task.StartedAt is { } start ? cap - start : policy.TaskTimeout)} on {worker}{(policy.ProgressExtendsUpTo > policy.TaskTimeout && cap - task.StartedAt > policy.TaskTimeout ? $" (its {Describe(policy.TaskTimeout)} timeout extended by its progress, up to {Describe(policy.ProgressExtendsUpTo)})" : "")}"
                : $"its worker {worker} sent no heartbeat for {Describe(policy.HeartbeatTimeout)} (is it frozen or gone?)";
        if (task.IsForOneWorker) return $"worker {task.Target} did not start it within {Describe(policy.QueueWait(forOneWorker: true))} (is it running?)";
        if (task.Step.Definition.Work is { Kind: Contracts.WorkKind.Code } code)
            return $"waited {Describe(policy.QueueTimeout)} in its queue and no worker with C# step '{code.Body}' v{code.Version} started it " +
                   $"(start a worker whose program registers '{code.Body}' at version {code.Version}; the step's QueueTimeout allows longer)";
        return $"waited {Describe(policy.QueueTimeout)} in its queue and no worker started it (are workers for it running? the step's QueueTimeout allows longer)";
    }

    private static Decision StartTask(ProcessState state, RecordTaskStart c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        var task = KnownTask(state, c.TaskId);
        if (!IsOpen(state, task, c.Attempt))
            return Decision.Drop(DropKind.StaleStart, $"task {c.TaskId} attempt {c.Attempt} is no longer running");
        if (task.StartedOn == c.Worker)
            return Decision.Drop(DropKind.DuplicateStart, $"task {c.TaskId} attempt {c.Attempt} was already started on {c.Worker}");
        // A start on another worker is the broker handing the attempt on (its first worker died): its time starts again.
        // Until the first heartbeat, a frozen worker is noticed one heartbeat timeout after the start.
        return Decision.Of([new TaskStartRecorded(c.ProcessId, c.TaskId, c.Attempt, c.Worker, now + task.Step.Definition.Retry.UntilFirstBeat, now)]);
    }

    private static Decision Heartbeat(ProcessState state, RecordHeartbeat c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        var task = KnownTask(state, c.TaskId);
        if (!IsOpen(state, task, c.Attempt))
            return Decision.Drop(DropKind.StaleHeartbeat, $"task {c.TaskId} attempt {c.Attempt} is no longer running");
        var policy = task.Step.Definition.Retry;
        var timeout = policy.HeartbeatTimeout;
        // A beat proves the worker alive, never that the attempt may run longer: the deadline stops at the task timeout.
        // Only progress the step itself reports moves that cap, where the graph allows it, by a task timeout from the report.
        var cap = task.Cap ?? DateTimeOffset.MaxValue;
        DateTimeOffset? moved = null;
        if (c.Progress is not null && policy.ProgressExtendsUpTo > policy.TaskTimeout && task.StartedAt is { } start && policy.CapAfterProgress(start, now) is var later
            && later - cap >= policy.TaskTimeout / 10)
            cap = (moved = later).Value;
        var deadline = now + timeout < cap ? now + timeout : cap;
        // Moves of less than half a heartbeat timeout are left out (a beating task writes an event every other beat),
        // but the move to the cap is made: left short of it, a live task would time out as if its worker were gone.
        if (moved is null && (deadline == task.Deadline || (deadline != cap && (deadline - task.Deadline).Duration() < timeout / 2)))
            return Decision.Drop(DropKind.HeartbeatNotNeeded, $"task {c.TaskId} attempt {c.Attempt} is already due at {task.Deadline:O}");
        return Decision.Of([new TaskHeartbeatRecorded(c.ProcessId, c.TaskId, c.Attempt, c.Worker, deadline, now, moved, c.Progress)]);
    }

    /// <summary>
    /// Another attempt with backoff while the step's limit allows (counted since the process was last retried) and the
    /// error is retryable; otherwise the step and the process fail. A paused process holds the attempt until it resumes.
    /// </summary>
    private static Decision RetryOrFail(ProcessState state, TaskState task, IProcessEvent cause, string reason, bool retryable, DateTimeOffset now)
    {
        var policy = task.Step.Definition.Retry;
        if (retryable && task.AttemptsThisRun < policy.MaxAttempts)
        {
            var next = task.Attempt + 1;
            var delay = policy.BackoffBefore(task.AttemptsThisRun + 1);
            var retry = new TaskRetryScheduled(state.Id, task.Id, next, delay, reason, now);
            if (state.Status == ProcessStatus.Paused) return Decision.Of([cause, retry]);
            return Decision.Of([
                cause,
                retry,
                new TaskScheduled(state.Id, task.Id, next, task.Step.Name, task.Partition, task.Inputs, task.Target, now + delay, now + delay + policy.QueueWait(task.IsForOneWorker),
                    task.Step.Definition.RouteFor(task.Target), task.Item),
            ]);
        }
        // A timeout's reason reads as a predicate ("timed out after 60 s"); a worker's error is only the error text.
        var what = cause is TaskAttemptFailed ? $"failed: {reason}" : reason;
        var why = retryable
            ? $"task {task.Id} {what} (attempt {task.AttemptsThisRun} of {policy.MaxAttempts}{(task.AttemptsThisRun != task.Attempt ? $" since the process was retried" : "")}, no retries left)"
            : $"task {task.Id} failed and cannot be retried: {reason}";
        return Decision.Of([
            cause,
            new StepFailed(state.Id, task.Step.Name, why, now),
            new ProcessFailed(state.Id, $"step '{task.Step.Name}' failed: {why}", now),
        ]);
    }

    /// <summary>A second result of a task, or a recomputed one, differs from the first: the step is flagged once, even after its process ended.</summary>
    private static Decision Flag(ProcessState state, FlagNondeterminism c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        var task = KnownTask(state, c.TaskId);
        if (task.Step.NondeterministicBecause is not null)
            return Decision.Drop(DropKind.AlreadyFlagged, $"step '{task.Step.Name}' is already flagged as non-deterministic");
        return Decision.Of([new StepNondeterministic(state.Id, task.Step.Name, c.TaskId, c.Detail, now)]);
    }

    /// <summary>Drops a worker's result that can no longer matter; otherwise gives the task it is about.</summary>
    private static Decision? Stale(ProcessState state, ProcessId process, TaskId id, int attempt, out TaskState task)
    {
        RequireStarted(state, process);
        task = KnownTask(state, id);
        if (state.HasEnded)
            return Decision.Drop(DropKind.ProcessEnded, $"process {state.Id} has ended ({state.Status}); result of task {id} attempt {attempt} ignored");
        if (attempt > task.Attempt)
            throw DomainError.Named("unknown-attempt", $"Task {id} has no attempt {attempt}; its latest is {task.Attempt}.");
        if (task.Status != TaskStatus.Confirmed && attempt < task.Attempt && attempt != task.CopyOf)
            return Decision.Drop(DropKind.LateAttempt, $"task {id} attempt {attempt} reported after attempt {task.Attempt} was scheduled");
        if (task.Status != TaskStatus.Confirmed && task.Step.Status != StepStatus.Running)
            return Decision.Drop(DropKind.StepEnded, $"step '{task.Step.Name}' has {task.Step.Status.ToString().ToLowerInvariant()}; result of task {id} ignored");
        return null;
    }

    /// <summary>The attempt is the task's current one and still running: not confirmed, its step and process going on.</summary>
    private static bool IsOpen(ProcessState state, TaskState task, int attempt) =>
        !state.HasEnded && task.Status != TaskStatus.Confirmed && attempt == task.Attempt && task.Step.Status == StepStatus.Running;

    private static TaskState KnownTask(ProcessState state, TaskId id) =>
        state.Task(id) ?? throw DomainError.Named("unknown-task", $"Process {state.Id} has no task {id}.");

    private static string Describe(TimeSpan t) =>
        t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.###} s" : $"{t.TotalMinutes:0.##} min";
}
