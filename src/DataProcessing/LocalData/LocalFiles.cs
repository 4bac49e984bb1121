using Microsoft.Extensions.FileSystemGlobbing;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.LocalData;

/// <summary>One file of a local root a task may read: its real path and what a user recognises (<c>local://sales/a.csv</c>).</summary>
public sealed record LocalFile(string RealPath, string Shown, long Size);

/// <summary>
/// Resolves a <c>local://root/glob</c> input on the worker that runs the task. A glob that is absolute or climbs with
/// "..", and a match whose real path (links followed) lies outside the root, are refused rather than skipped: a step
/// that reaches for data it may not read should fail loudly, not return a partial answer.
/// </summary>
public static class LocalFiles
{
    public static IReadOnlyList<LocalFile> Resolve(LocalRoots roots, BlobRef reference)
    {
        var (root, pattern) = LocalInput.Parse(reference);
        var files = Find(roots, root, pattern);
        return files.Count > 0 ? files
            : throw new StepFailure($"Local input '{reference.Uri.OriginalString}' matches no file under local root '{root}' on this worker.", retryable: false);
    }

    /// <summary>The files matching <paramref name="pattern"/> under <paramref name="root"/>, in name order; none is not an error here.</summary>
    public static IReadOnlyList<LocalFile> Find(LocalRoots roots, string root, string pattern)
    {
        if (LocalInput.Problem(root, pattern) is { } problem)
            throw new StepFailure($"Local input '{LocalInput.Scheme}://{root}/{pattern}' is refused: {problem}.", retryable: false);
        var rootPath = roots.PathOf(root);

        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(pattern);
        var files = new List<LocalFile>();
        foreach (var match in matcher.GetResultsInFullPath(rootPath).Order(StringComparer.Ordinal))
        {
            var shown = $"{LocalInput.Scheme}://{root}/{Path.GetRelativePath(rootPath, match).Replace('\\', '/')}";
            var real = ResolveInside(match, rootPath, shown, root);
            files.Add(new LocalFile(real, shown, new FileInfo(real).Length));
        }
        return files;
    }

    private static string ResolveInside(string path, string rootPath, string shown, string root)
    {
        string real;
        try
        {
            real = Sql.RealPath.Resolve(path);
        }
        catch (IOException e)
        {
            throw new StepFailure($"Local file '{shown}' cannot be resolved: {e.Message}", retryable: false, e);
        }
        if (!Sql.RealPath.IsInside(real, rootPath))
            throw new StepFailure($"Local file '{shown}' is refused: a symbolic link leads to '{real}', outside local root '{root}'.", retryable: false);
        if (!File.Exists(real))
            throw new StepFailure($"Local file '{shown}' is not a regular file.", retryable: false);
        return real;
    }
}
