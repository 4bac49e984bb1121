using Orchestration.Contracts;

namespace Orchestration.Processes;

/// <summary>An operator's control of a process in flight: cancel, retry from the failure, pause and resume.</summary>
public static partial class ProcessDecider
{
    private static Decision Cancel(ProcessState state, CancelProcess c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        if (state.HasEnded)
            throw DomainError.Named("process-ended", $"Process {c.ProcessId} has already ended ({state.Status}); there is nothing to cancel.");
        return Decision.Of([new ProcessCancelled(c.ProcessId, c.Reason, now)]);
    }

    /// <summary>
    /// A failed or cancelled process goes on from where it stopped: every unconfirmed task of a started step gets a fresh
    /// attempt, a step that failed before it had tasks (or was waiting for workers) starts again, and waiting steps wait on.
    /// </summary>
    private static Decision Retry(ProcessState state, RetryProcess c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        switch (state.Status)
        {
            case ProcessStatus.Completed:
                throw DomainError.Named("process-completed", $"Process {c.ProcessId} has completed; there is nothing to retry (start a new process to run it again).");
            case ProcessStatus.Running or ProcessStatus.Paused:
                throw DomainError.Named("process-running",
                    $"Process {c.ProcessId} is {state.Status.ToString().ToLowerInvariant()}; only a failed or cancelled process can be retried (cancel it first to start its unconfirmed tasks again).");
        }
        var graph = state.Graph!;
        var (datasets, fixes) = Replaced(state, c);
        var tasks = state.Steps.Where(s => s.TaskCount > 0).ToDictionary(s => s.Name, s => s.TaskCount, StringComparer.Ordinal);
        var plan = new Planner(state, state.Id, graph, datasets, now, hold: false);
        plan.Emit(new ProcessRetried(c.ProcessId, c.Reason, graph, datasets, state.Parameters, tasks, now, state.Priority));
        foreach (var step in graph.Steps.Select(d => state.Step(d.Name)))
        {
            if (step.TaskCount > 0 && step.Status is StepStatus.Running or StepStatus.Failed)
                plan.FreshAttempts(step, _ => true, fixes.Count == 0 ? null : read => read.Select(i => fixes.TryGetValue(i.Blob, out var fixedCopy) ? i with { Blob = fixedCopy } : i).ToArray());
            else if (step.Status == StepStatus.Failed || step.IsAwaitingWorkers)
                plan.StartStep(step.Definition); // failed before it had tasks (a bad metadata count, no matching worker): planned again
        }
        return Decision.Of(plan.Events);
    }

    /// <summary>
    /// The datasets with the retry's replacements, and each replaced blob whose bytes changed with its fixed copy. A
    /// replacement keeps the dataset's blobs one for one, and may change none that a confirmed task read: those results stand.
    /// </summary>
    private static (IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Datasets, Dictionary<BlobRef, BlobRef> Fixes) Replaced(ProcessState state, RetryProcess c)
    {
        var fixes = new Dictionary<BlobRef, BlobRef>();
        if (c.Datasets is not { Count: > 0 } replacements) return (state.Datasets, fixes);
        var datasets = new Dictionary<string, IReadOnlyList<BlobRef>>(state.Datasets, StringComparer.Ordinal);
        foreach (var (name, blobs) in replacements)
        {
            if (!state.Datasets.TryGetValue(name, out var had))
                throw DomainError.Named("dataset-unknown", $"Process {c.ProcessId} reads no dataset '{name}'; it reads {Listed(state.Datasets.Keys)}.");
            if (blobs.Count != had.Count)
                throw DomainError.Named("dataset-reshaped",
                    $"Dataset '{name}' of process {c.ProcessId} has {had.Count} blob(s) and the retry gives {blobs.Count}; a retry replaces blobs one for one (fix the bad files in place), or start a new process over the new files.");
            for (var i = 0; i < had.Count; i++)
                if (had[i].Sha256 != blobs[i].Sha256) fixes[had[i]] = blobs[i];
            datasets[name] = blobs;
        }
        if (state.Tasks.FirstOrDefault(t => t.Status == TaskStatus.Confirmed && t.Inputs.Any(i => fixes.ContainsKey(i.Blob))) is { Step: not null } read)
            throw DomainError.Named("confirmed-input-changed",
                $"The retry changes {read.Inputs.First(i => fixes.ContainsKey(i.Blob)).Blob.Uri}, which task {read.Id} read and was confirmed over; a retry runs only unconfirmed tasks again, so start a new process over the changed data.");
        return (datasets, fixes);
    }

    /// <summary>Only an ended process is archived (a running one still needs its events); archiving again changes nothing, so a prune cut short can run again.</summary>
    private static Decision Archive(ProcessState state, ArchiveProcess c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        if (!state.HasEnded)
            throw DomainError.Named("process-running",
                $"Process {c.ProcessId} is {state.Status.ToString().ToLowerInvariant()}; only an ended process can be pruned. Wait for its end or cancel it (orch cancel {c.ProcessId}); nothing was deleted.");
        return state.IsArchived ? Decision.Of([]) : Decision.Of([new ProcessArchived(c.ProcessId, c.Reason, now)]);
    }

    private static Decision Pause(ProcessState state, PauseProcess c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        if (state.HasEnded)
            throw DomainError.Named("process-ended", $"Process {c.ProcessId} has already ended ({state.Status}); there is nothing to pause.");
        if (state.Status == ProcessStatus.Paused)
            throw DomainError.Named("process-paused", $"Process {c.ProcessId} is already paused ({state.PausedBecause}); resume it to let it go on.");
        return Decision.Of([new ProcessPaused(c.ProcessId, c.Reason, now)]);
    }

    /// <summary>
    /// A paused process goes on: the retries it held and the attempts that never started (their workers skip the queued
    /// ones) are given out afresh, and steps that started while it was paused schedule their first tasks.
    /// </summary>
    private static Decision Resume(ProcessState state, ResumeProcess c, DateTimeOffset now)
    {
        RequireStarted(state, c.ProcessId);
        if (state.Status != ProcessStatus.Paused)
            throw DomainError.Named("process-not-paused",
                $"Process {c.ProcessId} is {state.Status.ToString().ToLowerInvariant()}, not paused; only a paused process can be resumed{(state.HasEnded && state.Status != ProcessStatus.Completed ? " (a failed or cancelled one can be retried)" : "")}.");
        var plan = new Planner(state, state.Id, state.Graph!, state.Datasets, now, hold: false);
        plan.Emit(new ProcessResumed(c.ProcessId, c.Reason, now));
        foreach (var step in state.Steps.Where(s => s.Status == StepStatus.Running))
            plan.FreshAttempts(step, task => task.IsHeld || task.StartedOn is null);
        return Decision.Of(plan.Events);
    }
}
