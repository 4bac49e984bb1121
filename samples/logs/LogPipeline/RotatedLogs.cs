using System.Text.RegularExpressions;
using Orchestration.DataProcessing.LocalData;

namespace LogPipeline;

/// <summary>A rotated raw log of a node, <c>raw-logs/&lt;yyyymmddhhmm&gt;.log</c>, and the minute it was rotated at.</summary>
public sealed record RotatedLog(LocalFile File, string Stamp);

/// <summary>
/// Finds a node's rotated logs through the worker's allow-list, so every path is resolved inside the root (links
/// followed) like any <c>local://</c> input. Only names of the rotation pattern count: the file being written
/// (<c>current.log</c>) and strays are left alone rather than published half-way or under a made-up time.
/// </summary>
public static partial class RotatedLogs
{
    public const string Folder = "raw-logs";

    [GeneratedRegex(@"^(?<stamp>\d{12})\.log$")]
    private static partial Regex RotatedName();

    public static IReadOnlyList<RotatedLog> In(LocalRoots roots, string root) =>
        LocalFiles.Find(roots, root, $"{Folder}/*.log")
            .Select(file => (file, match: RotatedName().Match(Path.GetFileName(file.Shown))))
            .Where(f => f.match.Success)
            .Select(f => new RotatedLog(f.file, f.match.Groups["stamp"].Value))
            .ToList();
}
