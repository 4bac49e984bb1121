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

    public static Command Create(OrchestrationSetup setup)
    {
        var input = new Option<string>("--input") { Description = "Glob of input files (Parquet, CSV, JSON lines), one task per file; or local://root/<glob>, read in place on a worker (see --allow-local)", Required = true };
        var sql = new Option<string>("--sql") { Description = "DuckDB SQL run on each file, which it sees as table 'input'", Required = true };
        var with = new Option<string[]>("--with") { Description = "A side table every task sees in full: name=<file> (repeatable)", AllowMultipleArgumentsPerToken = false };
        var merge = new Option<string?>("--merge") { Description = "SQL merging the per-file results, seen as table 'partials' (default: all rows)" };
        var output = new Option<string>("--out") { Description = "Where to write the result CSV", Required = true };
        var attempts = new Option<int>("--attempts") { Description = "Times a task is tried before the query fails", DefaultValueFactory = _ => RetryPolicy.Default.MaxAttempts };
        var timeout = new Option<double>("--task-timeout") { Description = "Seconds a started task may run (without heartbeats) before it is retried", DefaultValueFactory = _ => RetryPolicy.Default.TaskTimeout.TotalSeconds };
        var queueTimeout = new Option<double>("--queue-timeout") { Description = "Seconds a task may wait in its queue for a worker to start it before it is retried", DefaultValueFactory = _ => RetryPolicy.Default.QueueTimeout.TotalSeconds };
        var command = new Command("query", "Run SQL over every file matching a glob, then merge the results")
        {
            input, sql, with, merge, output, attempts, timeout, queueTimeout, CommonOptions.Workers, CommonOptions.AllowLocal,
        };
        foreach (var option in TargetOptions.All) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(attempts) is < 1 or > 100)
                throw CliError.BadArguments($"--attempts must be between 1 and 100 (got {parse.GetValue(attempts)}).");
            foreach (var (option, seconds) in new[] { ("--task-timeout", parse.GetValue(timeout)), ("--queue-timeout", parse.GetValue(queueTimeout)) })
                if (seconds is not (> 0 and <= MaxTimeoutSeconds))
                    throw CliError.BadArguments($"{option} must be a number of seconds above 0 and at most {MaxTimeoutSeconds} (got {seconds}).");
            var retry = RetryPolicy.Default with
            {
                MaxAttempts = parse.GetValue(attempts),
                TaskTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                QueueTimeout = TimeSpan.FromSeconds(parse.GetValue(queueTimeout)),
            };
            var local = LocalQuery.IsLocal(parse.GetValue(input)!);
            var on = TargetOptions.From(parse, local);
            if (local) return await LocalQuery.RunAsync(parse, setup, parse.GetValue(input)!, parse.GetValue(sql)!, parse.GetValue(merge), parse.GetValue(output)!, retry, on, cancellationToken);
            var files = Inputs.Expand(parse.GetValue(input)!);
            if (files.Count == 0)
                throw CliError.BadArguments($"--input '{parse.GetValue(input)}' matches no file. Check the path and the pattern (e.g. 'data/*.parquet').");
            var sides = CommonOptions.Pairs("--with", parse.GetValue(with));
            var data = Path.GetFullPath(parse.GetValue(CommonOptions.Data)!);

            await using var engine = await Engines.OpenAsync(parse, setup, cancellationToken);
            var datasets = new Dictionary<string, IReadOnlyList<BlobRef>> { ["input"] = await Inputs.UploadAsync(engine.Blobs, files, cancellationToken) };
            foreach (var (name, file) in sides)
                datasets[$"side-{name}"] = await Inputs.UploadAsync(engine.Blobs, [file], cancellationToken);

            var graph = Graph(parse.GetValue(sql)!, parse.GetValue(merge), sides.Keys, retry, on: on);
            var id = Inputs.ProcessIdFor("query", System.Text.Json.JsonSerializer.Serialize(graph), datasets.Values.SelectMany(b => b), []);
            return await ProcessRunner.RunAsync(engine, new StartProcess(id, graph, datasets, new Dictionary<string, string>()), parse.GetValue(output)!, cancellationToken);
        });
        return command;
    }

    /// <param name="on">Where the map's tasks run (the merge runs on any worker).</param>
    internal static ProcessGraph Graph(string sql, string? merge, IEnumerable<string> sides, RetryPolicy retry, DataSource? over = null, Placement? on = null)
    {
        try
        {
            return ProcessGraph.Define("query", 1)
                .Map("map", over ?? DataSource.Dataset("input"), StepWork.Sql(sql), s =>
                {
                    s.Retry(retry.MaxAttempts).Timeout(retry.TaskTimeout).QueueTimeout(retry.QueueTimeout);
                    if (on is not null) s.On(on.Selector, on.Mode, on.Wait);
                    foreach (var side in sides) s.With(side, DataSource.Dataset($"side-{side}"));
                })
                .Reduce("merge", DataSource.Step("map"), StepWork.Sql(merge ?? "SELECT * FROM partials"), s => s.As("partials").Retry(retry.MaxAttempts).Timeout(retry.TaskTimeout).QueueTimeout(retry.QueueTimeout))
                .Build();
        }
        catch (InvalidGraphException invalid)
        {
            throw CliError.BadArguments(string.Join("; ", invalid.Problems));
        }
    }
}
