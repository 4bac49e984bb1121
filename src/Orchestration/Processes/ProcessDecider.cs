using Orchestration.Contracts;
using Orchestration.Graphs;

namespace Orchestration.Processes;

/// <summary>
/// The process aggregate's decisions: <c>(state, command, now) → events</c>. Pure: no I/O, no clock reads
/// (time comes in as <c>now</c>), no random ids (task ids derive from process, step and partition).
/// </summary>
public static partial class ProcessDecider
{
    public static Decision Decide(ProcessState state, IProcessCommand command, DateTimeOffset now)
    {
        if (state.Status != ProcessStatus.NotStarted && command.ProcessId != state.Id)
            throw DomainError.Named("wrong-process", $"Command for process {command.ProcessId} was sent to process {state.Id}.");
        if (state.IsArchived && command is StartProcess or RetryProcess or CancelProcess or PauseProcess or ResumeProcess)
            throw DomainError.Named("process-archived",
                $"Process {command.ProcessId} is being pruned ({state.ArchivedBecause}): its history is in the archive and it takes no command. Run the prune again to finish it, then start the process anew.");
        return command switch
        {
            StartProcess c => Start(state, c, now),
            ConfirmTask c => Confirm(state, c, now),
            ReuseTask c => Confirm(state, new ConfirmTask(c.ProcessId, c.TaskId, c.Attempt, c.Worker, c.Outputs, c.Metadata, c.Metrics, c.CacheKey), now, reusedFrom: c.Source),
            FailTask c => Fail(state, c, now),
            TryTimeoutTask c => TryTimeout(state, c, now),
            RecordTaskStart c => StartTask(state, c, now),
            RecordHeartbeat c => Heartbeat(state, c, now),
            CancelProcess c => Cancel(state, c, now),
            RetryProcess c => Retry(state, c, now),
            PauseProcess c => Pause(state, c, now),
            ResumeProcess c => Resume(state, c, now),
            ArchiveProcess c => Archive(state, c, now),
            PlaceStep c => Place(state, c, now),
            ReviewStragglers c => Review(state, c, now),
            FlagNondeterminism c => Flag(state, c, now),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "The process aggregate has no decision for this command."),
        };
    }

    private static Decision Start(ProcessState state, StartProcess c, DateTimeOffset now)
    {
        if (state.Status != ProcessStatus.NotStarted)
            throw DomainError.Named("process-already-started",
                $"Process {c.ProcessId} was already started with graph {state.Graph}; start another process id to run it again.");
        var problems = c.Graph.Problems();
        if (problems.Count > 0)
            throw DomainError.Named("graph-invalid", new InvalidGraphException(c.Graph.ToString(), problems).Message);
        if (ProcessPriority.Problem(c.Priority) is { } priority)
            throw DomainError.Named("priority-out-of-range", priority);
        var missing = MissingDatasets(c).ToList();
        if (missing.Count > 0)
            throw DomainError.Named("dataset-missing",
                $"Graph {c.Graph} reads {string.Join(", ", missing.Select(m => $"'{m}'"))} but the process was given only: {Listed(c.Datasets.Keys)}.");

        var plan = new Planner(state, c.ProcessId, c.Graph, c.Datasets, now);
        plan.Emit(new ProcessStarted(c.ProcessId, c.Graph, c.Datasets, c.Parameters, now, c.Priority));
        foreach (var step in c.Graph.Steps.Where(s => s.DependsOn.Count == 0))
            plan.StartStep(step);
        plan.CompleteProcessIfDone();
        return Decision.Of(plan.Events);
    }

    private static IEnumerable<string> MissingDatasets(StartProcess c) =>
        c.Graph.Steps
            .SelectMany(s => s.Sources)
            .Where(s => s.Kind == SourceKind.Dataset && !c.Datasets.ContainsKey(s.Name))
            .Select(s => s.Name)
            .Distinct();

    private static void RequireStarted(ProcessState state, ProcessId id)
    {
        if (state.Status == ProcessStatus.NotStarted)
            throw DomainError.Named("unknown-process", $"Process {id} has not been started.");
    }

    private static string Listed(IEnumerable<string> names) =>
        names.Any() ? string.Join(", ", names.Select(n => $"'{n}'")) : "(none)";
}
