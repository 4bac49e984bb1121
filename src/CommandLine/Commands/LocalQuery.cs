using System.CommandLine;
using Orchestration.Contracts;
using Orchestration.DataProcessing.LocalData;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Processes;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// <c>orch query --input local://sales/*.csv</c>: the map reads the files where they lie, on a worker that allows the
/// root, and only its partial result travels to the blob store; nothing is uploaded first.
/// </summary>
internal static class LocalQuery
{
    public static bool IsLocal(string input) => input.StartsWith(LocalInput.Scheme + "://", StringComparison.OrdinalIgnoreCase);

    public static async Task<int> RunAsync(ParseResult parse, OrchestrationSetup setup, string input, string sql, string? merge, string output, RetryPolicy retry, Placement? on, int priority, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(input, UriKind.Absolute, out var uri)) throw CliError.BadArguments($"--input '{input}' is not a valid local:// reference.");
        var reference = new BlobRef(uri, "", -1, -1);
        var (root, pattern) = LocalInput.Parse(reference);
        if (LocalInput.Problem(root, pattern) is { } problem) throw CliError.BadArguments($"--input '{input}': {problem}.");
        var graph = QueryCommand.Graph(sql, merge, [], retry, DataSource.Local(root, pattern), on);
        var fingerprint = Fingerprint(parse, reference);

        await using var engine = await Engines.OpenAsync(parse, setup, cancellationToken);
        var id = Inputs.ProcessIdFor("query", System.Text.Json.JsonSerializer.Serialize(graph), [], fingerprint);
        return await ProcessRunner.RunAsync(engine, new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>>(), new Dictionary<string, string>(), priority), output, cancellationToken);
    }

    /// <summary>
    /// The same query over the same local files resumes; changed files (name, size, time written) start a new process.
    /// Only an embedded engine can see the files: a distributed query is identified by its text alone.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> Fingerprint(ParseResult parse, BlobRef reference)
    {
        if (Engines.Settings.IsDistributed) return [];
        IReadOnlyList<LocalFile> files;
        try { files = LocalFiles.Resolve(CommonOptions.CheckedLocalRoots(parse, Engines.Settings.Local), reference); }
        catch (DataProcessing.Sql.StepFailure refused) { throw CliError.BadArguments(refused.Message); }
        return files.Select(f => KeyValuePair.Create(f.Shown, $"{f.Size}@{File.GetLastWriteTimeUtc(f.RealPath).Ticks}")).ToList();
    }
}
