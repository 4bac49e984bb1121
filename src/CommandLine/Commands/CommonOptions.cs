using System.CommandLine;
using Orchestration.Contracts;
using Orchestration.DataProcessing.LocalData;

namespace Orchestration.CommandLine.Commands;

/// <summary>Options several commands share.</summary>
public static class CommonOptions
{
    public static readonly Option<string> Data = new("--data")
    {
        Description = "The data directory (event log, blobs, scratch). Default: $ORCH_DATA or ./.orch",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORCH_DATA") is { Length: > 0 } env ? env : ".orch",
        Recursive = true,
    };

    public static readonly Option<int> Workers = new("--workers")
    {
        Description = "Worker threads running tasks at once",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static readonly Option<string[]> AllowLocal = new("--allow-local")
    {
        Description = "A directory steps may read in place as local://name/<glob>: name=/path (repeatable; adds to Orchestration__Local__name)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<int> Priority = new("--priority")
    {
        Description = $"How urgent the process is, {ProcessPriority.Normal} (normal) to {ProcessPriority.Highest} (most urgent): its tasks overtake queued tasks of less urgent processes",
        DefaultValueFactory = _ => ProcessPriority.Normal,
    };

    public static int CheckedPriority(ParseResult parse) =>
        ProcessPriority.Problem(parse.GetValue(Priority)) is { } problem ? throw CliError.BadArguments($"--priority: {problem}") : parse.GetValue(Priority);

    /// <summary>The local roots from configuration and <c>--allow-local</c>, checked (the name an identifier, the directory there).</summary>
    public static LocalRoots CheckedLocalRoots(ParseResult parse, IReadOnlyDictionary<string, string> configured)
    {
        var roots = new Dictionary<string, string>(configured, StringComparer.Ordinal);
        foreach (var (name, path) in Pairs("--allow-local", parse.GetValue(AllowLocal))) roots[name] = path;
        try { return LocalRoots.From(roots); }
        catch (ArgumentException bad) { throw CliError.BadArguments(bad.Message); }
    }

    public static int CheckedWorkers(ParseResult parse)
    {
        var workers = parse.GetValue(Workers);
        return workers is >= 1 and <= 256 ? workers : throw CliError.BadArguments($"--workers must be between 1 and 256, not {workers}.");
    }

    /// <summary>Parses repeated <c>key=value</c> options, naming the option in the error.</summary>
    public static IReadOnlyDictionary<string, string> Pairs(string option, IEnumerable<string>? values)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var split = value.IndexOf('=');
            if (split <= 0) throw CliError.BadArguments($"{option} expects name=value, not '{value}'.");
            pairs[value[..split]] = value[(split + 1)..];
        }
        return pairs;
    }
}
