using Orchestration.Contracts;

namespace Orchestration.Graphs;

/// <summary>
/// Fluent definition of a graph. Dependencies follow from what a step reads; <see cref="StepOptions.After"/> adds more.
/// <code>
/// ProcessGraph.Define("revenue-by-country-brand", 1)
///     .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT ... FROM input JOIN stores ..."),
///          s => s.With("stores", DataSource.Dataset("stores")))
///     .Reduce("revenue", DataSource.Step("partials"), StepWork.Sql("SELECT ... FROM partials ..."), s => s.As("partials"))
///     .Build();
/// </code>
/// </summary>
public sealed class GraphBuilder(string name, int version)
{
    private readonly List<StepDefinition> _steps = [];

    /// <summary>One task per blob of <paramref name="over"/>.</summary>
    public GraphBuilder Map(string step, DataSource over, StepWork work, Action<StepOptions>? configure = null) =>
        Add(step, StepShape.Map, new OnePerBlob(over), work, configure);

    /// <summary>
    /// As many tasks as <paramref name="count"/> reads from an earlier step's metadata at run time; task <c>i</c>
    /// gets parameters <c>partition=i</c> and <c>partitions=N</c>, and sees all of <paramref name="over"/>, if given.
    /// </summary>
    public GraphBuilder Map(string step, MetadataCount count, StepWork work, DataSource? over = null, Action<StepOptions>? configure = null) =>
        Add(step, StepShape.Map, new CountFromMetadata(count, over), work, configure);

    /// <summary>
    /// One task per item of a list an earlier step reported in its metadata (<c>Metadata.Items("find-days", "days")</c>),
    /// decided once when the step starts; task <c>i</c> gets parameter <c>item</c> (SQL: <c>getvariable('item')</c>) and
    /// sees all of <paramref name="over"/>, if given.
    /// </summary>
    public GraphBuilder Map(string step, MetadataItems items, StepWork work, DataSource? over = null, Action<StepOptions>? configure = null) =>
        Add(step, StepShape.Map, new OnePerItem(items, over), work, configure);

    /// <summary>One task over every blob of <paramref name="over"/>.</summary>
    public GraphBuilder Reduce(string step, DataSource over, StepWork work, Action<StepOptions>? configure = null) =>
        Add(step, StepShape.Reduce, new AllInOne(over), work, configure);

    /// <summary>
    /// One task with no input blobs: the step works on what its worker has (e.g. its local files). With
    /// <c>On(selector, Target.All)</c>, one such task on every matching worker.
    /// </summary>
    public GraphBuilder Run(string step, StepWork work, Action<StepOptions>? configure = null) =>
        Add(step, StepShape.Reduce, new AllInOne(DataSource.Nothing), work, configure);

    /// <summary>
    /// Repartitions the rows of <paramref name="over"/> by <paramref name="key"/> (a DuckDB expression over its columns)
    /// into <paramref name="buckets"/> buckets, then runs <paramref name="work"/> once per bucket, whose task sees every
    /// row of its bucket as its input: a scatter step <c>{step}.scatter</c> (one task per blob, one file per bucket) and
    /// the gather step. The scatter takes the step's retries, timeouts and placement. Which bucket a key goes to does not
    /// depend on the DuckDB version (see <c>ShuffleBucket</c>).
    /// </summary>
    public GraphBuilder Shuffle(string step, DataSource over, string key, int buckets, StepWork work, Action<StepOptions>? configure = null) =>
        Shuffle(step, [new ShuffledInput(null, over, key)], buckets, work, configure);

    /// <summary>
    /// A shuffle join: each input is cut by its key into the same <paramref name="buckets"/> buckets (a scatter step each:
    /// <c>{step}.scatter</c> for the first, <c>{step}.scatter.{view}</c> for the others), so that task <c>b</c> sees
    /// bucket <c>b</c> of every input, each under its view name (the first under the step's input name, as <c>As</c> sets it).
    /// Rows whose keys are equal meet in one task: join them there.
    /// </summary>
    public GraphBuilder Shuffle(string step, IReadOnlyList<ShuffledInput> inputs, int buckets, StepWork work, Action<StepOptions>? configure = null)
    {
        var options = Configure(configure);
        if (inputs.Count > 0 && inputs[0].View is { } first) options.As(first);
        var count = buckets.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var scatter = $"{step}.scatter";
        var joined = inputs.Skip(1).Select(input => new JoinedBuckets(input.View ?? "", $"{scatter}.{input.View}")).ToArray();
        foreach (var (input, name) in inputs.Zip(joined.Select(j => j.ScatterStep).Prepend(scatter)))
            _steps.Add(options.ScatterDefinition(name, input.Source, input.Key, count));
        _steps.Add(options.ToDefinition(step, StepShape.Shuffle, new OnePerBucket(scatter, buckets, joined.Length == 0 ? null : joined), work));
        return this;
    }

    /// <summary>Validates and returns the graph; throws <see cref="InvalidGraphException"/> listing every problem.</summary>
    public ProcessGraph Build()
    {
        var graph = new ProcessGraph(name, version, _steps.ToArray());
        var problems = graph.Problems();
        return problems.Count == 0 ? graph : throw new InvalidGraphException(graph.ToString(), problems);
    }

    private GraphBuilder Add(string step, StepShape shape, Fanout fanout, StepWork work, Action<StepOptions>? configure)
    {
        _steps.Add(Configure(configure).ToDefinition(step, shape, fanout, work));
        return this;
    }

    private static StepOptions Configure(Action<StepOptions>? configure)
    {
        var options = new StepOptions();
        configure?.Invoke(options);
        return options;
    }
}

/// <summary>One input of a shuffle: its rows, the key expression that picks their bucket, and the view its gather task reads them as.</summary>
/// <param name="View">The view name in the gather task; null for the first input, which is read under the step's input name.</param>
public sealed record ShuffledInput(string? View, DataSource Source, string Key)
{
    /// <summary>An input shuffled into the same buckets as the first, read as <paramref name="view"/>: <c>ShuffledInput.As("returns", DataSource.Dataset("returns"), "customer_id")</c>.</summary>
    public static ShuffledInput As(string view, DataSource source, string key) => new(view, source, key);
}

/// <summary>Optional settings of a step.</summary>
public sealed class StepOptions
{
    private string _inputName = "input";
    private readonly List<SideInput> _sideInputs = [];
    private readonly Dictionary<string, string> _parameters = [];
    private readonly List<string> _after = [];
    private RetryPolicy _retry = RetryPolicy.Default;
    private Placement? _on;
    private StepCondition? _condition;
    private int? _maxConcurrency;
    private Speculation? _speculation;
    private bool? _cache;
    private long? _packUpTo;
    private readonly Dictionary<string, string> _lists = [];

    /// <summary>The view name of the step's main blobs in its SQL (default <c>input</c>).</summary>
    public StepOptions As(string inputName) { _inputName = inputName; return this; }

    /// <summary>Adds a view every task sees in full, e.g. a dimension table.</summary>
    public StepOptions With(string viewName, DataSource source) { _sideInputs.Add(new SideInput(viewName, source)); return this; }

    /// <summary>A parameter passed to every task of the step.</summary>
    public StepOptions Param(string key, string value) { _parameters[key] = value; return this; }

    /// <summary>
    /// Runs the step only if <paramref name="condition"/> holds when it would start (<c>Metadata.Count("find", "rows") &gt; 0</c>);
    /// otherwise it is skipped, with the reason in the process's history, and so is every step that depends on it.
    /// </summary>
    public StepOptions OnlyIf(StepCondition condition) { _condition = condition; return this; }

    /// <summary>
    /// A SQL step's tasks report, as metadata <paramref name="key"/>, the distinct values of <paramref name="column"/> in
    /// their result (a JSON list, in order), for a later <c>Map(..., Metadata.Items(step, key), ...)</c> to fan out over.
    /// Every SQL task also reports <c>rows</c>, the rows of its result.
    /// </summary>
    public StepOptions ReportList(string key, string column) { _lists[key] = column; return this; }

    /// <summary>
    /// At most <paramref name="tasks"/> of the step's tasks run at once, across all workers (e.g. a step that calls a
    /// rate-limited service): the aggregate schedules that many, and the next one as each is confirmed.
    /// </summary>
    public StepOptions MaxConcurrency(int tasks) { _maxConcurrency = tasks; return this; }

    /// <summary>
    /// Copies the step's stragglers on other workers once <paramref name="quantile"/> of its tasks are done, for attempts
    /// running past <paramref name="multiple"/> times the median (<see cref="Speculation"/>): SQL steps do by default; a C#
    /// step opts in here, which says that running it twice over the same input is harmless.
    /// </summary>
    public StepOptions Speculate(double quantile = Speculation.DefaultQuantile, double multiple = Speculation.DefaultMultiple)
    {
        _speculation = new Speculation(true, quantile, multiple);
        return this;
    }

    /// <summary>
    /// The step's tasks always run, never taking the recorded result of the same work over the same bytes (a step whose
    /// output depends on time, chance or something outside its inputs). SQL steps reuse results by default.
    /// </summary>
    public StepOptions NoCache() { _cache = false; return this; }

    /// <summary>A C# step's tasks reuse the recorded result of the same step version over the same bytes and parameters: it says the step is pure.</summary>
    public StepOptions Cache() { _cache = true; return this; }

    /// <summary>
    /// A map (or a shuffle's scatter) over many small blobs runs one task per run of consecutive blobs of at most
    /// <paramref name="bytes"/> in all, rather than one per blob: a task's fixed cost (a message, a sandbox's checks, an
    /// output) is paid once per run, as Spark packs small files into one split. Its SQL then sees several blobs as one
    /// input, so use it only where that gives its readers what one task per blob would (partial aggregates a merge
    /// combines do; a per-partition <c>LIMIT</c> or <c>row_number()</c> does not). A blob of that size or more, or of
    /// unknown size, is a task of its own.
    /// </summary>
    public StepOptions PackBlobsUpTo(long bytes)
    {
        if (bytes < 1) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"PackBlobsUpTo needs a positive number of bytes, not {bytes}: e.g. 64 * 1024 * 1024 for runs of up to 64 MiB.");
        _packUpTo = bytes;
        return this;
    }

    /// <summary>Never copies the step's stragglers (e.g. a SQL step whose cost should not be paid twice).</summary>
    public StepOptions NoSpeculation() { _speculation = Speculation.Off; return this; }

    /// <summary>Waits for <paramref name="step"/> to complete without reading its outputs.</summary>
    public StepOptions After(string step) { _after.Add(step); return this; }

    public StepOptions Retry(int maxAttempts) { _retry = _retry with { MaxAttempts = maxAttempts }; return this; }

    /// <summary>A started task is late this long after its start (until its worker beats).</summary>
    public StepOptions Timeout(TimeSpan taskTimeout) { _retry = _retry with { TaskTimeout = taskTimeout }; return this; }

    /// <summary>
    /// A task no worker has started is late this long after it was sent (default 1 hour); a task for one named worker
    /// (<see cref="Target.All"/>) at most its task timeout.
    /// </summary>
    public StepOptions QueueTimeout(TimeSpan queueTimeout) { _retry = _retry with { QueueTimeout = queueTimeout }; return this; }

    /// <summary>
    /// A C# step that reports progress (<c>context.ReportProgress("...")</c>) may run past its task timeout: each report
    /// allows one more task timeout from it, up to <paramref name="upTo"/> from the attempt's start. A step that stops
    /// reporting is stopped one task timeout after its last report.
    /// </summary>
    public StepOptions TimeoutExtendedByProgress(TimeSpan upTo) { _retry = _retry with { ProgressExtendsUpTo = upTo }; return this; }

    /// <summary>Once a task's worker beats, the task is late this long after the last beat.</summary>
    public StepOptions Heartbeat(TimeSpan heartbeatTimeout) { _retry = _retry with { HeartbeatTimeout = heartbeatTimeout }; return this; }

    public StepOptions Backoff(TimeSpan baseDelay, TimeSpan maxDelay) { _retry = _retry with { BaseDelay = baseDelay, MaxDelay = maxDelay }; return this; }

    /// <summary>
    /// Runs the step's tasks only on workers whose labels match <paramref name="selector"/> (e.g. <c>region=EU</c>,
    /// <c>region in (EU,NorthAmerica),!country=US</c>): each on any one of them, or with <see cref="Target.All"/> one task
    /// per matching worker. With no matching worker the step fails, after waiting up to <paramref name="waitForWorkers"/>.
    /// </summary>
    public StepOptions On(WorkerSelector selector, Target target = Target.Any, TimeSpan? waitForWorkers = null)
    {
        _on = new Placement(selector, target, waitForWorkers ?? TimeSpan.Zero);
        return this;
    }

    /// <inheritdoc cref="On(WorkerSelector, Target, TimeSpan?)"/>
    public StepOptions On(string selector, Target target = Target.Any, TimeSpan? waitForWorkers = null) =>
        On(WorkerSelector.Parse(selector), target, waitForWorkers);

    /// <summary>A shuffle's blobs are packed in its scatter steps; other steps than a map over blobs have none to pack.</summary>
    private Fanout Packed(string step, Fanout fanout) => (_packUpTo, fanout) switch
    {
        (null, _) or (_, OnePerBucket) => fanout,
        (_, OnePerBlob blobs) => blobs with { PackUpTo = _packUpTo },
        _ => throw new ArgumentException($"Step '{step}' has PackBlobsUpTo, which only a map over blobs or a shuffle has: it runs {fanout}.", nameof(fanout)),
    };

    /// <summary>A scatter step of a shuffle: one task per blob of <paramref name="source"/>, with this step's retries, timeouts and placement.</summary>
    internal StepDefinition ScatterDefinition(string name, DataSource source, string key, string buckets) =>
        new(name, StepShape.Shuffle, new OnePerBlob(source, _packUpTo), StepWork.Partition(key), "input", [], new Dictionary<string, string> { ["buckets"] = buckets }, [], _retry, _on,
            Speculation: _speculation, Cache: _cache);

    internal StepDefinition ToDefinition(string name, StepShape shape, Fanout fanout, StepWork work) =>
        new(name, shape, Packed(name, fanout), work, _inputName, _sideInputs.ToArray(), new Dictionary<string, string>(_parameters), _after.ToArray(), _retry, _on,
            _condition, _lists.Count == 0 ? null : new Dictionary<string, string>(_lists), _maxConcurrency, _speculation, _cache);
}
