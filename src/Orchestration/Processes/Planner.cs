using System.Globalization;
using Orchestration.Contracts;
using Orchestration.Graphs;

namespace Orchestration.Processes;

/// <summary>
/// Works out the events of one decision that starts and completes steps: a completed step starts its
/// dependents, a step with no tasks completes at once, and the last step completes the process.
/// <para>
/// Decide may not change the state, yet a cascade needs to see the steps it has just completed; so the
/// planner keeps them (and the confirmation being decided) in an overlay beside the state.
/// </para>
/// <para>
/// While the process is paused (<paramref name="hold"/>, by default whether it is), steps still start, complete and
/// cascade, but no attempt is given out: their tasks are scheduled when it resumes.
/// </para>
/// </summary>
internal sealed class Planner(
    ProcessState state,
    ProcessId processId,
    ProcessGraph graph,
    IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> datasets,
    DateTimeOffset now,
    ConfirmTask? confirming = null,
    bool? hold = null)
{
    private readonly bool _hold = hold ?? state.Status == ProcessStatus.Paused;
    private readonly List<IProcessEvent> _events = [];
    private readonly Dictionary<string, IReadOnlyList<TaskResult>> _completedNow = new(StringComparer.Ordinal);
    private readonly HashSet<string> _startedNow = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skippedNow = new(StringComparer.Ordinal);
    private bool _failed;

    public IReadOnlyList<IProcessEvent> Events => _events;

    public void Emit(IProcessEvent e) => _events.Add(e);

    public void StartStep(StepDefinition step)
    {
        // A step reached by two paths of one cascade (e.g. after its dependency and after an empty step that also
        // depends on that dependency) starts once.
        if (_failed || !_startedNow.Add(step.Name)) return;
        if (step.Condition is { } condition)
        {
            var value = Sum(condition.Value, out var problem);
            if (problem is not null)
            {
                FailStep(step, problem);
                return;
            }
            if (!condition.HoldsFor(value))
            {
                SkipStep(step, string.Create(CultureInfo.InvariantCulture, $"it runs only if {condition}, and {condition.Value} is {value}"));
                return;
            }
        }
        // Only the orchestrator knows the live workers: a step placed by label waits for it to place the step.
        if (step.On is { } on)
            Emit(new StepAwaitingWorkers(processId, step.Name, on.Selector.ToString(), on.Mode, now));
        else
            Schedule(step, oneTaskPer: null);
    }

    /// <summary>Schedules a step awaiting workers on <paramref name="matching"/>, the live workers its selector matches.</summary>
    public void PlaceStep(StepDefinition step, IReadOnlyList<LabeledWorker> matching)
    {
        _startedNow.Add(step.Name);
        Schedule(step, step.On?.Mode == Target.All ? matching : null);
    }

    public void FailStep(StepDefinition step, string reason)
    {
        _failed = true;
        Emit(new StepFailed(processId, step.Name, reason, now));
        Emit(new ProcessFailed(processId, $"step '{step.Name}' failed: {reason}", now));
    }

    /// <param name="oneTaskPer">With a step placed on all matching workers: each planned task once per worker, recorded as its target.</param>
    private void Schedule(StepDefinition step, IReadOnlyList<LabeledWorker>? oneTaskPer)
    {
        var tasks = PlanTasks(step, out var problem);
        if (problem is not null)
        {
            FailStep(step, problem);
            return;
        }
        if (oneTaskPer is not null)
            tasks = tasks.SelectMany(t => oneTaskPer.Select(w => t with { Target = w.Id.Value })).ToArray();
        Emit(new StepStarted(processId, step.Name, tasks.Count, now));
        EmitFirstAttempts(step, tasks, 0, _hold ? 0 : Math.Min(tasks.Count, step.MaxConcurrency ?? tasks.Count), forOneWorker: oneTaskPer is not null);
        if (tasks.Count == 0)
            CompleteStep(step);
    }

    /// <summary>
    /// With a concurrency limit, the step's next tasks once some are confirmed: as many as keep
    /// <paramref name="unconfirmed"/> plus them within the limit, in partition order, planned as at the step's start.
    /// </summary>
    public void ScheduleMore(StepDefinition step, int scheduled, int unconfirmed)
    {
        if (_hold) return;
        var tasks = PlanTasks(step, out var problem);
        if (problem is not null)
        {
            FailStep(step, problem);
            return;
        }
        var more = Math.Min(tasks.Count - scheduled, (step.MaxConcurrency ?? tasks.Count) - unconfirmed);
        if (more > 0) EmitFirstAttempts(step, tasks, scheduled, scheduled + more, forOneWorker: false);
    }

    /// <summary>
    /// A fresh attempt for each unconfirmed task of a started step that <paramref name="which"/> picks (a held retry keeps
    /// the attempt number it was given), then the step's first attempts a concurrency limit or a pause held back.
    /// </summary>
    /// <param name="inputs">What the fresh attempt reads, from what the task read (by default the same).</param>
    public void FreshAttempts(StepState step, Func<TaskState, bool> which, Func<IReadOnlyList<TaskInput>, IReadOnlyList<TaskInput>>? inputs = null)
    {
        if (_failed) return;
        var definition = step.Definition;
        var unconfirmed = 0;
        foreach (var task in step.ScheduledTasks)
        {
            if (task.Status == TaskStatus.Confirmed) continue;
            unconfirmed++;
            if (!which(task)) continue;
            Emit(new TaskScheduled(processId, task.Id, task.IsHeld ? task.Attempt : task.Attempt + 1, step.Name, task.Partition, inputs?.Invoke(task.Inputs) ?? task.Inputs, task.Target,
                now, now + definition.Retry.QueueWait(task.IsForOneWorker), definition.RouteFor(task.Target), task.Item));
        }
        if (step.Scheduled < step.TaskCount) ScheduleMore(definition, step.Scheduled, unconfirmed);
    }

    private void EmitFirstAttempts(StepDefinition step, IReadOnlyList<PlannedTask> tasks, int from, int to, bool forOneWorker)
    {
        var deadline = now + step.Retry.QueueWait(forOneWorker); // until a worker starts it
        for (var partition = from; partition < to; partition++)
            Emit(new TaskScheduled(processId, TaskId.For(processId, step.Name, partition), 1, step.Name, partition,
                tasks[partition].Inputs, tasks[partition].Target, now, deadline, step.RouteFor(tasks[partition].Target), tasks[partition].Item));
    }

    public void CompleteStep(StepDefinition step)
    {
        var results = ResultsOf(step.Name, fromStateOnly: true);
        _completedNow[step.Name] = results;
        Emit(new StepCompleted(processId, step.Name, results.Count, now));
        FollowOn(step);
    }

    /// <summary>
    /// The steps waiting on <paramref name="step"/> whose every dependency is now done start, or, if one of their
    /// dependencies was skipped, are skipped too: the one rule for a skipped step's dependants.
    /// </summary>
    private void FollowOn(StepDefinition step)
    {
        foreach (var dependent in graph.Steps.Where(s => s.DependsOn.Contains(step.Name) && s.DependsOn.All(IsDone)))
        {
            if (dependent.DependsOn.FirstOrDefault(IsSkipped) is { } skipped)
                SkipStep(dependent, $"it depends on '{skipped}', which was skipped");
            else
                StartStep(dependent);
        }
    }

    private void SkipStep(StepDefinition step, string reason)
    {
        if (!_skippedNow.Add(step.Name)) return;
        _startedNow.Add(step.Name);
        Emit(new StepSkipped(processId, step.Name, reason, now));
        FollowOn(step);
    }

    public void CompleteProcessIfDone()
    {
        if (_failed || state.CompletedSteps + _completedNow.Count + _skippedNow.Count < graph.Steps.Count) return;
        var outputs = graph.FinalSteps.SelectMany(s => ResultsOf(s.Name).SelectMany(r => r.Outputs)).ToArray();
        Emit(new ProcessCompleted(processId, outputs, now));
    }

    private bool IsDone(string step) => IsSkipped(step) || _completedNow.ContainsKey(step) || StoredStatusOf(step) == StepStatus.Completed;

    private bool IsSkipped(string step) => _skippedNow.Contains(step) || StoredStatusOf(step) == StepStatus.Skipped;

    /// <summary>The step's status in the state before this decision (waiting before the process started).</summary>
    private StepStatus StoredStatusOf(string step) => state.Status == ProcessStatus.NotStarted ? StepStatus.Waiting : state.Step(step).Status;

    /// <summary>The outputs and metadata of a step's tasks, in partition order, with the confirmation being decided.</summary>
    private IReadOnlyList<TaskResult> ResultsOf(string step, bool fromStateOnly = false)
    {
        if (!fromStateOnly && _completedNow.TryGetValue(step, out var known)) return known;
        if (state.Status == ProcessStatus.NotStarted) return [];
        return state.Step(step).ScheduledTasks
            .Select(t => (Task: t, Id: t.Id)) // an id is derived on each ask: once a task here
            .Select(t => confirming is not null && t.Id == confirming.TaskId
                ? new TaskResult(t.Id, confirming.Outputs, confirming.Metadata)
                : new TaskResult(t.Id, t.Task.Outputs, t.Task.Metadata))
            .ToArray();
    }

    private IReadOnlyList<BlobRef> BlobsOf(DataSource? source) => source switch
    {
        null or { Kind: SourceKind.Nothing } => [],
        { Kind: SourceKind.Dataset } => datasets[source.Name],
        { Kind: SourceKind.Local } => [LocalInput.Reference(source.Name, source.Pattern ?? "")],
        _ => ResultsOf(source.Name).SelectMany(r => r.Outputs).ToArray(),
    };

    private IReadOnlyList<PlannedTask> PlanTasks(StepDefinition step, out string? problem)
    {
        problem = null;
        var sides = step.SideInputs.SelectMany(side => BlobsOf(side.Source).Select(b => new TaskInput(side.Name, b))).ToArray();
        PlannedTask Over(IEnumerable<BlobRef> blobs, string? target = null) =>
            new(blobs.Select(b => new TaskInput(step.InputName, b)).Concat(sides).ToArray(), target);

        switch (step.Fanout)
        {
            case OnePerBlob f:
                return f.Tasks(BlobsOf(f.Source)).Select(blobs => Over(blobs)).ToArray();
            case AllInOne f:
                return [Over(BlobsOf(f.Source))];
            case CountFromMetadata f:
                var count = CountFrom(f.Count, out problem);
                return problem is null ? Enumerable.Repeat(Over(BlobsOf(f.Source)), count).ToArray() : [];
            case OnePerItem f:
                var items = ItemsFrom(f.Items, out problem);
                var all = Over(BlobsOf(f.Source));
                return problem is null ? items.Select(item => all with { Item = item }).ToArray() : [];
            case OnePerBucket f:
                return Gather(step, f, sides, out problem);
            default:
                problem = $"the engine does not know the fan-out {step.Fanout.GetType().Name}";
                return [];
        }
    }

    private int CountFrom(MetadataCount count, out string? problem)
    {
        var total = Sum(count, out problem);
        if (problem is null && total > MaxTasksPerStep)
            problem = string.Create(CultureInfo.InvariantCulture, $"{count} asks for {total:N0} tasks, more than the limit of {MaxTasksPerStep:N0} per step");
        return problem is null ? (int)total : 0;
    }

    /// <summary>A count from metadata: the whole numbers every task of its step reported under its key, summed.</summary>
    private long Sum(MetadataCount count, out string? problem)
    {
        problem = null;
        var total = 0L;
        foreach (var result in ResultsOf(count.Step))
        {
            if (MetadataOf(result, count.Step, count.Key, out problem) is not { } text) return 0;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                problem = $"metadata '{count.Key}' of task {result.Task} is '{text}', not a whole number";
                return 0;
            }
            total += n;
        }
        return total;
    }

    /// <summary>A list from metadata: the JSON arrays every task of its step reported under its key, in partition order.</summary>
    private List<string> ItemsFrom(MetadataItems items, out string? problem)
    {
        problem = null;
        var all = new List<string>();
        foreach (var result in ResultsOf(items.Step))
        {
            if (MetadataOf(result, items.Step, items.Key, out problem) is not { } text) return [];
            if (MetadataList.Parse(text) is not { } list)
            {
                problem = $"metadata '{items.Key}' of task {result.Task} is not a list of items: it must be a JSON array of strings or numbers (e.g. [\"2026-05-01\",\"2026-05-02\"]), not '{Shorten(text)}'";
                return [];
            }
            all.AddRange(list);
            if (all.Count > MaxTasksPerStep)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"{items} holds more than {MaxTasksPerStep:N0} items, the limit of tasks per step");
                return [];
            }
        }
        return all;
    }

    private static string? MetadataOf(TaskResult result, string step, string key, out string? problem)
    {
        problem = result.Metadata.TryGetValue(key, out var text) ? null
            : $"it needs metadata '{key}' from every task of '{step}', but task {result.Task} reported none (it reported: {string.Join(", ", result.Metadata.Keys.DefaultIfEmpty("nothing"))})";
        return text;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>
    /// Task <c>b</c> of a shuffle's gather: bucket <c>b</c> of its main input under the step's input name, then bucket
    /// <c>b</c> of each joined input under that input's view name, then the side inputs.
    /// </summary>
    private IReadOnlyList<PlannedTask> Gather(StepDefinition step, OnePerBucket f, TaskInput[] sides, out string? problem)
    {
        problem = null;
        var inputs = new List<(string View, IReadOnlyList<BlobRef>[] Buckets)>();
        foreach (var (view, scatter) in (f.Joined ?? []).Select(j => (j.View, j.ScatterStep)).Prepend((step.InputName, f.ScatterStep)))
        {
            var buckets = Buckets(scatter, f.Buckets, out problem);
            if (problem is not null) return [];
            inputs.Add((view, buckets));
        }
        return Enumerable.Range(0, f.Buckets)
            .Select(b => new PlannedTask(inputs.SelectMany(i => i.Buckets[b].Select(blob => new TaskInput(i.View, blob))).Concat(sides).ToArray(), null))
            .ToArray();
    }

    /// <summary>Bucket <c>b</c>: output <c>b</c> of every task of <paramref name="scatterStep"/>, in partition order.</summary>
    private IReadOnlyList<BlobRef>[] Buckets(string scatterStep, int count, out string? problem)
    {
        problem = null;
        var buckets = Enumerable.Range(0, count).Select(_ => new List<BlobRef>()).ToArray();
        var function = graph.Steps.First(s => s.Name == scatterStep).Work.Version;
        foreach (var result in ResultsOf(scatterStep))
        {
            if (result.Outputs.Count != count)
            {
                problem = $"scatter task {result.Task} wrote {result.Outputs.Count} output(s) but the shuffle has {count} buckets";
                return [];
            }
            // A worker older than the graph's bucket function ignores it: its rows would sit in other buckets than the rest's.
            var used = result.Metadata.GetValueOrDefault(StepWork.BucketFunctionMetadata, "1");
            if (function > 1 && used != function.ToString(CultureInfo.InvariantCulture))
            {
                problem = $"scatter task {result.Task} was bucketed with bucket function {used}, where the shuffle uses {function} (a worker older than " +
                          "the engine that built the graph?): its buckets would not meet the others'. Upgrade every worker, then run the process again";
                return [];
            }
            for (var b = 0; b < count; b++) buckets[b].Add(result.Outputs[b]);
        }
        return buckets;
    }

    /// <summary>A guard against a metadata value that would flood the queue by mistake.</summary>
    private const int MaxTasksPerStep = 1_000_000;

    private sealed record TaskResult(TaskId Task, IReadOnlyList<BlobRef> Outputs, IReadOnlyDictionary<string, string> Metadata);

    private sealed record PlannedTask(IReadOnlyList<TaskInput> Inputs, string? Target, string? Item = null);
}
