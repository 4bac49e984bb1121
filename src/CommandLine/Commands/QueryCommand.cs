using System.CommandLine;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// <c>orch query</c>: an ad hoc map/merge over the user's own files, one task per file, through the whole engine.
/// An input <c>local://root/glob</c> is read in place by a worker that allows that root: one task over all its files.
/// </summary>
public static class QueryCommand
{
    private const double MaxTimeoutSeconds = 7 * 24 * 3600;
    private const double MaxPackMb = 1_000_000;

    public static Command Create(OrchestrationSetup setup)
    {
        var input = new Option<string>("--input") { Description = "Glob of input files (Parquet, CSV, JSON lines), one task per file; or local://root/<glob>, read in place on a worker (see --allow-local)", Required = true };
        var sql = new Option<string>("--sql") { Description = "DuckDB SQL run on each file, which it sees as table 'input'", Required = true };
        var with = new Option<string[]>("--with") { Description = "A side table every task sees in full: name=<file> (repeatable)", AllowMultipleArgumentsPerToken = false };
        var merge = new Option<string?>("--merge") { Description = "SQL merging the per-file results, seen as table 'partials' (default: all rows)" };
        var shuffleBy = new Option<string?>("--shuffle-by") { Description = "Repartition the rows of every file by this key expression (e.g. customer_id) before --sql, which then runs once per bucket over all rows of its bucket" };
        var buckets = new Option<int>("--buckets") { Description = $"How many buckets --shuffle-by makes (1 to {StepWork.MaxBuckets})", DefaultValueFactory = _ => 16 };
        var shuffleWith = new Option<string[]>("--shuffle-with") { Description = "Another input shuffled by the same key into the same buckets, name=<glob>: each bucket's --sql sees its rows as table 'name' (repeatable; a shuffle join)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out") { Description = "Where to write the result CSV", Required = true };
        var attempts = new Option<int>("--attempts") { Description = "Times a task is tried before the query fails", DefaultValueFactory = _ => RetryPolicy.Default.MaxAttempts };
        var timeout = new Option<double>("--task-timeout") { Description = "Seconds a started task may run (without heartbeats) before it is retried", DefaultValueFactory = _ => RetryPolicy.Default.TaskTimeout.TotalSeconds };
        var queueTimeout = new Option<double>("--queue-timeout") { Description = "Seconds a task may wait in its queue for a worker to start it before it is retried", DefaultValueFactory = _ => RetryPolicy.Default.QueueTimeout.TotalSeconds };
        var heartbeat = new Option<double>("--heartbeat-timeout") { Description = "Seconds a started task's worker may go without a heartbeat before the task is retried (a frozen or gone worker)", DefaultValueFactory = _ => RetryPolicy.Default.HeartbeatTimeout.TotalSeconds };
        var noSpeculation = new Option<bool>("--no-speculation") { Description = "Never copy a straggling map task on another worker (speculation is on for SQL by default)" };
        var noCache = new Option<bool>("--no-cache") { Description = "Run every task, reusing no recorded result of the same SQL over the same bytes" };
        var maxConcurrency = new Option<int?>("--max-concurrency") { Description = "At most this many of the query's map tasks run at once, across all workers (e.g. over a rate-limited source)" };
        var packMb = new Option<double?>("--pack-mb") { Description = "Runs of consecutive small files of at most this many megabytes (1,000,000 bytes) in all are one map (or scatter) task each, rather than one task per file; --sql then sees several files as one input, so give it only for partials --merge combines (sums, counts)" };
        var command = new Command("query", "Run SQL over every file matching a glob, then merge the results")
        {
            input, sql, with, merge, shuffleBy, buckets, shuffleWith, output, attempts, timeout, queueTimeout, heartbeat, maxConcurrency, packMb, noCache, noSpeculation, CommonOptions.Priority, CommonOptions.Workers, CommonOptions.AllowLocal,
        };
        foreach (var option in TargetOptions.All) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(attempts) is < 1 or > 100)
                throw CliError.BadArguments($"--attempts must be between 1 and 100 (got {parse.GetValue(attempts)}).");
            foreach (var (option, seconds) in new[] { ("--task-timeout", parse.GetValue(timeout)), ("--queue-timeout", parse.GetValue(queueTimeout)), ("--heartbeat-timeout", parse.GetValue(heartbeat)) })
                if (seconds is not (> 0 and <= MaxTimeoutSeconds))
                    throw CliError.BadArguments($"{option} must be a number of seconds above 0 and at most {MaxTimeoutSeconds} (got {seconds}).");
            var retry = RetryPolicy.Default with
            {
                MaxAttempts = parse.GetValue(attempts),
                TaskTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                QueueTimeout = TimeSpan.FromSeconds(parse.GetValue(queueTimeout)),
                HeartbeatTimeout = TimeSpan.FromSeconds(parse.GetValue(heartbeat)),
            };
            var shuffle = ShuffleOf(parse, shuffleBy, buckets, shuffleWith);
            var priority = CommonOptions.CheckedPriority(parse);
            var limit = parse.GetValue(maxConcurrency);
            var pack = parse.GetValue(packMb) switch
            {
                null => (long?)null,
                > 0 and <= MaxPackMb and var mb => (long)(mb * 1_000_000),
                var mb => throw CliError.BadArguments(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"--pack-mb must be a number of megabytes above 0 and at most {MaxPackMb:0} (e.g. 64), not {mb}.")),
            };
            var local = LocalQuery.IsLocal(parse.GetValue(input)!);
            if (local && shuffle is not null)
                throw CliError.BadArguments("--shuffle-by works on files matched by a glob (uploaded as blobs), not on a local:// input read in place.");
            var on = TargetOptions.From(parse, local);
            if (local) return await LocalQuery.RunAsync(parse, setup, parse.GetValue(input)!, parse.GetValue(sql)!, parse.GetValue(merge), parse.GetValue(output)!, retry, on, priority, cancellationToken);
            var files = Inputs.Expand(parse.GetValue(input)!);
            if (files.Count == 0)
                throw CliError.BadArguments($"--input '{parse.GetValue(input)}' matches no file. Check the path and the pattern (e.g. 'data/*.parquet').");
            var sides = CommonOptions.Pairs("--with", parse.GetValue(with));
            var data = Path.GetFullPath(parse.GetValue(CommonOptions.Data)!);

            await using var engine = await Engines.OpenAsync(parse, setup, cancellationToken);
            var datasets = new Dictionary<string, IReadOnlyList<BlobRef>> { ["input"] = await Inputs.UploadAsync(engine.Blobs, files, cancellationToken) };
            foreach (var (name, file) in sides)
                datasets[$"side-{name}"] = await Inputs.UploadAsync(engine.Blobs, [file], cancellationToken);
            foreach (var (name, joinedFiles) in shuffle?.Joined ?? new Dictionary<string, IReadOnlyList<string>>())
                datasets[$"shuffle-{name}"] = await Inputs.UploadAsync(engine.Blobs, joinedFiles, cancellationToken);

            var graph = Graph(parse.GetValue(sql)!, parse.GetValue(merge), sides.Keys, retry, on: on, shuffle: shuffle, maxConcurrency: limit, cache: !parse.GetValue(noCache), speculate: !parse.GetValue(noSpeculation), packUpTo: pack);
            var id = Inputs.ProcessIdFor("query", System.Text.Json.JsonSerializer.Serialize(graph), datasets.Values.SelectMany(b => b), []);
            return await ProcessRunner.RunAsync(engine, new StartProcess(id, graph, datasets, new Dictionary<string, string>(), priority), parse.GetValue(output)!, cancellationToken);
        });
        return command;
    }

    /// <summary>A query's shuffle: the key, the bucket count, and the other inputs shuffled with it (name to files).</summary>
    internal sealed record Shuffle(string Key, int Buckets, IReadOnlyDictionary<string, IReadOnlyList<string>> Joined);

    private static Shuffle? ShuffleOf(ParseResult parse, Option<string?> shuffleBy, Option<int> buckets, Option<string[]> shuffleWith)
    {
        var key = parse.GetValue(shuffleBy);
        var joined = CommonOptions.Pairs("--shuffle-with", parse.GetValue(shuffleWith));
        if (key is null)
        {
            if (joined.Count > 0 || parse.GetResult(buckets) is { Implicit: false })
                throw CliError.BadArguments("--buckets and --shuffle-with go with --shuffle-by <key expression>, which says how rows are repartitioned.");
            return null;
        }
        if (string.IsNullOrWhiteSpace(key)) throw CliError.BadArguments("--shuffle-by needs a key expression over the input's columns (e.g. customer_id).");
        if (parse.GetValue(buckets) is < 1 or > StepWork.MaxBuckets)
            throw CliError.BadArguments($"--buckets must be between 1 and {StepWork.MaxBuckets} (got {parse.GetValue(buckets)}).");
        var files = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, glob) in joined)
        {
            files[name] = Inputs.Expand(glob);
            if (files[name].Count == 0) throw CliError.BadArguments($"--shuffle-with {name}='{glob}' matches no file. Check the path and the pattern (e.g. 'returns/*.parquet').");
        }
        return new Shuffle(key, parse.GetValue(buckets), files);
    }

    /// <param name="on">Where the map's (or the shuffle's) tasks run (the merge runs on any worker).</param>
    /// <param name="shuffle">With a shuffle, <paramref name="sql"/> runs once per bucket instead of once per file.</param>
    internal static ProcessGraph Graph(string sql, string? merge, IEnumerable<string> sides, RetryPolicy retry, DataSource? over = null, Placement? on = null, Shuffle? shuffle = null,
        int? maxConcurrency = null, bool cache = true, bool speculate = true, long? packUpTo = null)
    {
        void Options(StepOptions s)
        {
            s.Retry(retry.MaxAttempts).Timeout(retry.TaskTimeout).QueueTimeout(retry.QueueTimeout).Heartbeat(retry.HeartbeatTimeout);
            if (maxConcurrency is { } limit) s.MaxConcurrency(limit);
            if (packUpTo is { } bytes) s.PackBlobsUpTo(bytes);
            if (!cache) s.NoCache();
            if (!speculate) s.NoSpeculation();
            if (on is not null) s.On(on.Selector, on.Mode, on.Wait);
            foreach (var side in sides) s.With(side, DataSource.Dataset($"side-{side}"));
        }
        try
        {
            var graph = ProcessGraph.Define("query", 1);
            var source = over ?? DataSource.Dataset("input");
            graph = shuffle is null
                ? graph.Map("map", source, StepWork.Sql(sql), Options)
                : graph.Shuffle("map", [new ShuffledInput(null, source, shuffle.Key), .. shuffle.Joined.Keys.Select(name => ShuffledInput.As(name, DataSource.Dataset($"shuffle-{name}"), shuffle.Key))],
                    shuffle.Buckets, StepWork.Sql(sql), Options);
            return graph
                .Reduce("merge", DataSource.Step("map"), StepWork.Sql(merge ?? "SELECT * FROM partials"), s =>
                {
                    s.As("partials").Retry(retry.MaxAttempts).Timeout(retry.TaskTimeout).QueueTimeout(retry.QueueTimeout);
                    if (!cache) s.NoCache();
                })
                .Build();
        }
        catch (InvalidGraphException invalid)
        {
            throw CliError.BadArguments(string.Join("; ", invalid.Problems));
        }
    }
}
