using System.Security.Cryptography;
using System.Text;

namespace Orchestration.DataProcessing.Sql;

/// <summary>Where a task's files may live, and the checks that keep every path a step touches under the scratch root.</summary>
internal sealed class ScratchPaths(string root)
{
    public string Root { get; } = root;

    /// <summary>DuckDB spills here; a task directory can never take this name because sanitised keys never start with a dot.</summary>
    public string SpillDirectory => Path.Join(Root, ".spill");

    /// <summary>
    /// Task keys are ids such as <c>p-1/map/0</c>: flattened to one safe folder name, with a short hash of the
    /// original key so that <c>a/b</c> and <c>a_b</c> never share a folder.
    /// </summary>
    public string TaskDirectory(string taskKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskKey);
        var safe = new StringBuilder(Math.Min(taskKey.Length, 80));
        foreach (var c in taskKey.Take(80)) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        var name = safe.ToString().TrimStart('.');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(taskKey)))[..8];
        return Path.Join(Root, $"{(name.Length == 0 ? "task" : name)}-{hash}");
    }

    /// <summary>The real path of an input file the task may read, or a non-retryable failure that says why not.</summary>
    public string ReadableFile(string path)
    {
        var resolved = Inside(path, "input");
        if (Directory.Exists(resolved))
            throw StepFailure.Permanent($"Input '{path}' is a directory; give each input file on its own.");
        if (!File.Exists(resolved))
            throw StepFailure.Permanent($"Input file '{path}' does not exist.");
        // DuckDB reads input names as glob patterns: a literal '*' or '[' would silently match other files.
        if (resolved.IndexOfAny(['*', '?', '[']) >= 0)
            throw StepFailure.Permanent($"Input file '{path}' has a glob character (*, ? or [) in its name, which DuckDB would expand.");
        return resolved;
    }

    /// <summary>The real path of the output file, its folder created; a non-retryable failure when it lies outside the root.</summary>
    public string WritableFile(string path)
    {
        var resolved = Inside(path, "output");
        if (Directory.Exists(resolved))
            throw StepFailure.Permanent($"Output '{path}' is a directory, not a file.");
        Directory.CreateDirectory(Path.GetDirectoryName(resolved)!);
        return resolved;
    }

    private string Inside(string path, string role)
    {
        if (string.IsNullOrWhiteSpace(path)) throw StepFailure.Permanent($"The {role} path is empty.");
        string resolved;
        try
        {
            resolved = RealPath.Resolve(Path.IsPathRooted(path) ? path : Path.Join(Root, path));
        }
        catch (IOException e)
        {
            throw StepFailure.Permanent($"The {role} path '{path}' cannot be resolved: {e.Message}", e);
        }

        if (!RealPath.IsInside(resolved, Root))
            throw StepFailure.Permanent($"The {role} path '{path}' is refused: {WhyOutside(path, resolved)} outside the scratch root '{Root}'.");
        return resolved;
    }

    private string WhyOutside(string path, string resolved)
    {
        if (resolved != Path.GetFullPath(path, Root))
            return $"a symbolic link on the way leads to '{resolved}',";
        if (path.Split('/', '\\').Contains(".."))
            return $"its '..' leads to '{resolved}',";
        return "it lies";
    }
}
