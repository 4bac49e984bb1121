using System.Text.RegularExpressions;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// A worker's <c>--label key=value</c> options. Keys are plain names (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>) so that
/// selectors can name them; values are free text without line breaks. Each key once: two values would be ambiguous.
/// </summary>
public static partial class WorkerLabels
{
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string>? options)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in options ?? [])
        {
            var split = option.IndexOf('=');
            if (split < 0) throw CliError.BadArguments($"--label expects key=value (e.g. --label region=EU), not '{option}'.");
            var (key, value) = (option[..split].Trim(), option[(split + 1)..].Trim());
            if (!Key().IsMatch(key))
                throw CliError.BadArguments($"--label '{option}': the key must be a name of letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit.");
            if (value.Length == 0) throw CliError.BadArguments($"--label '{option}': the value is empty.");
            if (value.Length > 256 || value.Any(char.IsControl)) throw CliError.BadArguments($"--label '{option}': the value must be one line of at most 256 characters.");
            if (!labels.TryAdd(key, value)) throw CliError.BadArguments($"--label {key} is given twice ('{labels[key]}' and '{value}'); give each key once.");
        }
        return labels;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex Key();
}
