namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Resolves a path the way the operating system will when the file is opened (POSIX realpath semantics):
/// every symbolic link is followed where it appears, and "..", after a link, leaves the link's target, not
/// the link's folder. Checking the lexical <see cref="Path.GetFullPath(string)"/> alone would let
/// <c>root/link/../x</c> pass as <c>root/x</c> while the OS opens a file outside the root.
/// </summary>
internal static class RealPath
{
    private const int MaxLinkHops = 40; // as Linux's MAXSYMLINKS: a loop of links fails instead of spinning

    /// <summary>Components that do not exist yet (an output file) are kept as written.</summary>
    public static string Resolve(string absolutePath)
    {
        var root = Path.GetPathRoot(absolutePath);
        if (string.IsNullOrEmpty(root)) throw new ArgumentException($"'{absolutePath}' is not an absolute path.", nameof(absolutePath));

        var current = root;
        var pending = new Stack<string>();
        PushComponents(pending, absolutePath[root.Length..]);
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops) throw new IOException($"Too many levels of symbolic links in '{absolutePath}'.");
            var targetRoot = Path.GetPathRoot(target);
            if (!string.IsNullOrEmpty(targetRoot))
            {
                current = targetRoot;
                target = target[targetRoot.Length..];
            }
            PushComponents(pending, target);
        }
        return current;
    }

    public static bool IsInside(string resolvedPath, string resolvedRoot) =>
        resolvedPath.StartsWith(WithTrailingSeparator(resolvedRoot), StringComparison.Ordinal);

    public static string WithTrailingSeparator(string directory) =>
        Path.EndsInDirectorySeparator(directory) ? directory : directory + Path.DirectorySeparatorChar;

    private static void PushComponents(Stack<string> pending, string relative)
    {
        var parts = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
        for (var i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }
}
