using System.Text.RegularExpressions;
using Orchestration.Graphs;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// The client's named targets, so a user types <c>--target eu-stores</c> instead of a selector: a small text file,
/// one <c>name: selector</c> a line (<c>eu-stores: region=EU</c>), <c>#</c> starting a comment. Not YAML, though it
/// looks like it: a selector may start with <c>!</c>, which YAML would read as a tag.
/// </summary>
public static partial class NamedTargets
{
    /// <summary>Read from the working directory when no <c>--targets-file</c> is given.</summary>
    public const string DefaultFile = "orch.targets";

    public static IReadOnlyDictionary<string, WorkerSelector> Load(string path)
    {
        var targets = new Dictionary<string, WorkerSelector>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0) continue;
            var split = line.IndexOf(':');
            var name = split > 0 ? line[..split].Trim() : "";
            if (!Name().IsMatch(name))
                throw CliError.BadArguments($"{path} line {number}: expected 'name: selector' (e.g. 'eu-stores: region=EU') with a name of letters, digits, '.', '_' or '-', not '{line}'.");
            if (!WorkerSelector.TryParse(line[(split + 1)..].Trim(), out var selector, out var problem))
                throw CliError.BadArguments($"{path} line {number}: {problem}");
            if (!targets.TryAdd(name, selector!))
                throw CliError.BadArguments($"{path} line {number}: the target '{name}' is named twice.");
        }
        return targets;
    }

    /// <summary>A name from the targets file, or else a selector written out; a bare word that is neither says so.</summary>
    public static WorkerSelector Resolve(string target, string? file)
    {
        var path = file ?? (File.Exists(DefaultFile) ? DefaultFile : null);
        if (file is not null && !File.Exists(file)) throw CliError.BadArguments($"--targets-file '{file}' does not exist.");
        var named = path is null ? new Dictionary<string, WorkerSelector>() : Load(path);
        if (named.TryGetValue(target.Trim(), out var selector)) return selector;
        if (WorkerSelector.TryParse(target, out selector, out var problem)) return selector!;
        if (Name().IsMatch(target.Trim()))
            throw CliError.BadArguments(path is null
                ? $"--target '{target}' is not a selector, and there is no targets file ({DefaultFile} here, or --targets-file) to name it."
                : $"--target '{target}' is not a selector, nor a target named in {path} ({(named.Count == 0 ? "it names none" : $"it names {string.Join(", ", named.Keys)}")}).");
        throw CliError.BadArguments($"--target: {problem}");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex Name();
}
