using System.Collections.Frozen;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.LocalData;

/// <summary>
/// The directories a worker lets steps read in place, by name (<c>--allow-local sales=/srv/pos</c>). Nothing else on
/// the worker's disk is reachable through a <c>local://</c> input. Each root is kept as its real path (links resolved),
/// so the containment checks compare the same spelling the operating system opens.
/// </summary>
public sealed class LocalRoots
{
    public static readonly LocalRoots None = new(FrozenDictionary<string, string>.Empty);

    private readonly FrozenDictionary<string, string> _roots;

    private LocalRoots(FrozenDictionary<string, string> roots) => _roots = roots;

    /// <summary>Every root by name, with its real path.</summary>
    public IReadOnlyDictionary<string, string> All => _roots;

    public bool IsEmpty => _roots.Count == 0;

    /// <summary>
    /// The allow-list from <c>name=/path</c> pairs; throws <see cref="ArgumentException"/> with a one-line reason when a
    /// name is not a simple identifier, is given twice, or its directory does not exist.
    /// </summary>
    public static LocalRoots From(IEnumerable<KeyValuePair<string, string>> roots)
    {
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in roots)
        {
            if (!LocalInput.IsRootName(name))
                throw new ArgumentException($"Local root name '{name}' must be 1-64 letters, digits, '_' or '-', starting with a letter.");
            if (string.IsNullOrWhiteSpace(path) || !Directory.Exists(path))
                throw new ArgumentException($"Local root '{name}': the directory '{path}' does not exist.");
            if (!resolved.TryAdd(name, RealPath.Resolve(Path.GetFullPath(path))))
                throw new ArgumentException($"Local root '{name}' is given twice.");
        }
        return new LocalRoots(resolved.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Parses repeated <c>name=/path</c> options.</summary>
    public static LocalRoots Parse(IEnumerable<string> options) =>
        From(options.Select(option =>
        {
            var split = option.IndexOf('=');
            return split > 0
                ? KeyValuePair.Create(option[..split], option[(split + 1)..])
                : throw new ArgumentException($"A local root is given as name=/path, not '{option}'.");
        }));

    /// <summary>The real path of the named root, or a non-retryable failure naming the roots this worker allows.</summary>
    public string PathOf(string name) => _roots.TryGetValue(name, out var path) ? path
        : throw new StepFailure($"Local root '{name}' is not allowed on this worker; it allows {Listed()}. " +
                                "Start the worker with --allow-local name=/path (or set Orchestration__Local__name=/path).", retryable: false);

    public override string ToString() => Listed();

    private string Listed() => _roots.Count == 0 ? "no local roots" : string.Join(", ", _roots.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"));
}
