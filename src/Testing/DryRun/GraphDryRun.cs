using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.Testing;

/// <summary>
/// Runs a whole graph in memory through the real process aggregate, with stubbed step results instead of workers: no
/// DuckDB, no services, no real time. Tests dynamic fan-out, retries and failure paths of a user's own graph:
/// <code>
/// var run = new GraphDryRun(Revenue.Graph).WithDataset("sales", partitions: 4)
///     .Step("list", _ => StepOutcome.Succeeds("partitions", "3"))
///     .Step("score", t => t.Partition == 1 &amp;&amp; t.Attempt == 1 ? StepOutcome.Fails("flaky") : StepOutcome.Succeeds())
///     .Run();
/// run.Status.Should().Be(ProcessStatus.Completed);
/// run.TasksOf("score").Should().Be(3);
/// </code>
/// A step without a stub succeeds with one output and no metadata. Every attempt is answered in the order the
/// aggregate scheduled it; a fake clock moves to each attempt's time, and to its deadline when it hangs.
/// </summary>
public sealed class GraphDryRun(ProcessGraph graph)
{
    private static readonly WorkerId DryRunWorker = WorkerId.From("dry-run");
    private const int MaxCommands = 1_000_000;

    private readonly Dictionary<string, IReadOnlyList<BlobRef>> _datasets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<DryRunTask, StepOutcome>> _stubs = new(StringComparer.Ordinal);
    private IReadOnlyList<LabeledWorker> _workers = [new(DryRunWorker, new Dictionary<string, string>())];

    /// <summary>A dataset of <paramref name="partitions"/> blobs named after it.</summary>
    public GraphDryRun WithDataset(string name, int partitions) => WithDataset(name, SpecDefaults.Partitions(name, partitions));

    /// <summary>A dataset of the given blobs.</summary>
    public GraphDryRun WithDataset(string name, IReadOnlyList<BlobRef> blobs)
    {
        _datasets[name] = blobs;
        return this;
    }

    /// <summary>A parameter every task sees.</summary>
    public GraphDryRun WithParameter(string key, string value)
    {
        _parameters[key] = value;
        return this;
    }

    /// <summary>The live workers steps placed by label are placed on (default: one worker, <c>dry-run</c>, with no labels and every C# step).</summary>
    public GraphDryRun WithWorkers(params LabeledWorker[] workers)
    {
        _workers = workers;
        return this;
    }

    /// <summary>What every attempt of <paramref name="step"/> does; refused for a step the graph does not have.</summary>
    public GraphDryRun Step(string step, Func<DryRunTask, StepOutcome> outcome)
    {
        graph.Step(step); // throws, naming the graph's steps, for a typo
        _stubs[step] = outcome;
        return this;
    }

    /// <summary>Runs the process to its end (or until nothing is left to answer) and returns its history.</summary>
    public DryRunResult Run()
    {
        var id = SpecDefaults.Process;
        var state = new ProcessState();
        var events = new List<IProcessEvent>();
        var pending = new Queue<IProcessEvent>();
        var now = ProcessSpec.Epoch;

        void Apply(IProcessCommand command)
        {
            var decision = ProcessDecider.Decide(state, command, now);
            foreach (var e in decision.Events)
            {
                ProcessState.Evolve(state, e);
                events.Add(e);
                if (e is TaskScheduled or StepAwaitingWorkers) pending.Enqueue(e);
            }
            if (decision.Dropped is { Kind: DropKind.NoMatchingWorkerYet } && command is PlaceStep place)
            {
                now += state.Graph!.Step(place.Step).On!.Wait; // let the step's wait pass: then it fails, naming the workers
                pending.Enqueue(new StepAwaitingWorkers(id, place.Step, "", Target.Any, now));
            }
        }

        Apply(new StartProcess(id, graph, _datasets, _parameters));
        for (var commands = 0; pending.Count > 0 && !state.HasEnded; commands++)
        {
            if (commands == MaxCommands) throw new InvalidOperationException($"The dry run of graph {graph} answered {MaxCommands:N0} attempts without ending: does a stub always fail retryably?");
            switch (pending.Dequeue())
            {
                case StepAwaitingWorkers awaiting:
                    Apply(new PlaceStep(id, awaiting.Step, WithEveryStep(_workers)));
                    break;
                case TaskScheduled scheduled:
                    if (scheduled.NotBefore > now) now = scheduled.NotBefore;
                    // A worker takes it at once: from its start, the attempt has its task timeout (a hang times out at it).
                    Apply(new RecordTaskStart(scheduled.ProcessId, scheduled.TaskId, scheduled.Attempt, WorkerOf(scheduled)));
                    // A hung step's worker is alive: it beats just before each deadline, until the task timeout's cap.
                    while (IsHang(scheduled) && state.Steps.First(step => step.Name == scheduled.Step).Task(scheduled.Partition) is { Cap: { } cap, Deadline: var due } && due < cap)
                    {
                        now = due - TimeSpan.FromSeconds(1) > now ? due - TimeSpan.FromSeconds(1) : now;
                        Apply(new RecordHeartbeat(scheduled.ProcessId, scheduled.TaskId, scheduled.Attempt, WorkerOf(scheduled)));
                    }
                    Apply(Answer(scheduled, state, ref now));
                    break;
            }
        }
        return new DryRunResult(state, events);
    }

    private IProcessCommand Answer(TaskScheduled s, ProcessState state, ref DateTimeOffset now)
    {
        var task = new DryRunTask(s.Step, s.Partition, s.Attempt, s.Inputs, s.Target);
        var worker = WorkerOf(s);
        switch (_stubs.TryGetValue(s.Step, out var stub) ? stub(task) : StepOutcome.Succeeds())
        {
            case StepOutcome.Success success:
                var outputs = Enumerable.Range(0, success.Outputs)
                    .Select(i => SpecDefaults.Blob($"{s.Step}-{s.Partition}-a{s.Attempt}-{i}.parquet", success.Rows)).ToArray();
                return new ConfirmTask(s.ProcessId, s.TaskId, s.Attempt, worker, outputs, success.Metadata, SpecDefaults.Metrics);
            case StepOutcome.Failure failure:
                return new FailTask(s.ProcessId, s.TaskId, s.Attempt, worker, failure.Error, failure.Retryable);
            default:
                var deadline = state.Steps.First(step => step.Name == s.Step).Task(s.Partition).Deadline;
                now = now > deadline ? now : deadline;
                return new TryTimeoutTask(s.ProcessId, s.TaskId, s.Attempt);
        }
    }

    private bool IsHang(TaskScheduled s) =>
        _stubs.TryGetValue(s.Step, out var stub) && stub(new DryRunTask(s.Step, s.Partition, s.Attempt, s.Inputs, s.Target)) is StepOutcome.Hang;

    private static WorkerId WorkerOf(TaskScheduled s) => s.Target is { } target ? WorkerId.From(target) : DryRunWorker;

    // A dry run stubs every step, so a worker that says nothing of its C# steps "has" every one of the graph's at its
    // version; one given with steps keeps them, so version placement can be dry-run too.
    private IReadOnlyList<LabeledWorker> WithEveryStep(IReadOnlyList<LabeledWorker> workers) =>
        workers.Select(w => w.Steps is null ? w with { Steps = graph.Steps.Select(s => s.Work.CodeStep).OfType<string>().ToArray() } : w).ToArray();
}

/// <summary>The end of a dry run: the process's state and every event it recorded.</summary>
public sealed class DryRunResult(ProcessState state, IReadOnlyList<IProcessEvent> events)
{
    /// <summary>The process as the run left it.</summary>
    public ProcessState State { get; } = state;
    /// <summary>Every event the process recorded, in order.</summary>
    public IReadOnlyList<IProcessEvent> Events { get; } = events;
    /// <summary>Completed, failed or cancelled (running if nothing was left to answer).</summary>
    public ProcessStatus Status => State.Status;

    /// <summary>Why the process failed or was cancelled; null when it completed.</summary>
    public string? Reason => State.EndReason;

    /// <summary>How many tasks the step ran (its fan-out); 0 for a step that never started.</summary>
    public int TasksOf(string step) => State.Steps.FirstOrDefault(s => s.Name == step)?.TaskCount ?? 0;

    /// <summary>How many attempts of the step were scheduled, retries included.</summary>
    public int AttemptsOf(string step) => Events.OfType<TaskScheduled>().Count(e => e.Step == step);

    /// <summary>The history as the sentences <c>history</c> prints.</summary>
    public IReadOnlyList<string> History => Events.Select(e => e.ToString()!).ToList();

    /// <inheritdoc/>
    public override string ToString() => $"process {Status.ToString().ToLowerInvariant()}{(Reason is null ? "" : $": {Reason}")} after {Events.Count} event(s)";
}
