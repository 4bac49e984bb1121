namespace Orchestration.Contracts;

/// <summary>
/// Files that stay on the worker: <c>local://&lt;root&gt;/&lt;glob&gt;</c> names an allow-listed directory of whichever
/// worker runs the task (<c>orch worker --allow-local sales=/srv/pos</c>) and a glob inside it. The orchestrator never
/// sees the files; the worker resolves the reference against its own allow-list when the task runs, so the same task
/// input means "this worker's <c>sales</c>" on every worker. Travels as a <see cref="BlobRef"/> with no hash, size or rows.
/// </summary>
public static class LocalInput
{
    public const string Scheme = "local";
    private const string Prefix = Scheme + "://";

    /// <summary>The reference to the files matching <paramref name="pattern"/> under the worker's root <paramref name="root"/>.</summary>
    public static BlobRef Reference(string root, string pattern) =>
        new(new Uri(Prefix + root + "/" + pattern, UriKind.Absolute), "", -1, -1);

    /// <summary>
    /// Why a root name or glob is not acceptable, or null. Checked when a graph is built and again by the worker, which
    /// cannot trust the graph: a glob is relative to its root and never climbs out of it.
    /// </summary>
    public static string? Problem(string root, string pattern)
    {
        if (!IsRootName(root))
            return $"local root name '{root}' must be 1-64 letters, digits, '_' or '-', starting with a letter";
        if (string.IsNullOrWhiteSpace(pattern))
            return $"the glob under local root '{root}' is empty (e.g. '*.csv')";
        if (pattern.StartsWith('/') || pattern.Contains('\\') || pattern.Contains(':') || pattern.Contains('\0'))
            return $"the glob '{pattern}' under local root '{root}' must be a relative path with '/' separators, not an absolute one";
        if (pattern.Split('/').Any(part => part == ".."))
            return $"the glob '{pattern}' under local root '{root}' may not climb out of it with '..'";
        return Uri.TryCreate(Prefix + root + "/" + pattern, UriKind.Absolute, out _) ? null
            : $"the glob '{pattern}' under local root '{root}' does not form a valid {Prefix} reference";
    }

    public static bool IsRootName(string name) =>
        name.Length is >= 1 and <= 64 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    public static bool IsLocal(BlobRef blob) => blob.Uri.OriginalString.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The root and the glob as written. Read from the original string, because <see cref="Uri"/> would lower-case the
    /// root and fold "a/../b" into "b": the worker must see (and refuse) exactly what the graph asked for.
    /// </summary>
    public static (string Root, string Pattern) Parse(BlobRef blob)
    {
        var text = blob.Uri.OriginalString;
        if (!IsLocal(blob)) throw new ArgumentException($"'{text}' is not a {Prefix} reference.", nameof(blob));
        var rest = text[Prefix.Length..];
        var slash = rest.IndexOf('/');
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
    }
}
