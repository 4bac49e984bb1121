using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.Workers;

/// <summary>A run of one view's small Parquet blobs that a task reads as one compacted file: the inputs at <paramref name="Members"/>, in order.</summary>
internal sealed record InputGroup(int[] Members, string Key);

/// <summary>
/// Which of a SQL task's inputs it reads as compacted groups (<see cref="PartialCompaction"/>, kept by the worker in
/// <see cref="CompactedPartials"/>): the blobs of a view of many small Parquet files (a merge's partials, a bucket's pieces).
/// They are cut into groups where their content says (a blob whose hash is 0 modulo <see cref="AverageGroup"/> ends one,
/// as content-defined chunking cuts a stream) and a group is known by its blobs' hashes. So when one partial of 100
/// changed and a memoized re-run has only the merge left to do, the worker reads about ten groups and that partial's
/// group's members, about twenty files rather than 100, and compacts the changed group once the merge is done (a group
/// is never compacted while a task waits). A C# step always gets its inputs as they are.
/// </summary>
internal static class InputCompaction
{
    /// <summary>Fewer blobs than this are read as they are: grouping would save less than a compaction costs.</summary>
    public const int MinFiles = 16;

    /// <summary>About √100: a re-run after one change compacts one group of about ten and reads about ten groups.</summary>
    private const int AverageGroup = 10;

    private const int MaxGroup = 4 * AverageGroup;

    /// <summary>Part of every key: a change to how groups are cut or written must not serve the old entries.</summary>
    private const string FormatVersion = "compacted-partials v1";

    /// <summary>For each of the task's inputs, the group it is read in, or null.</summary>
    public static InputGroup?[] Plan(RunTask task)
    {
        var plan = new InputGroup?[task.Inputs.Count];
        if (task.Work.Kind == WorkKind.Code) return plan;
        foreach (var view in Enumerable.Range(0, task.Inputs.Count).GroupBy(i => task.Inputs[i].Name, StringComparer.OrdinalIgnoreCase))
        {
            var members = view.ToArray();
            var blobs = members.Select(i => task.Inputs[i].Blob).ToArray();
            if (members.Length < MinFiles || blobs.Any(b => LocalInput.IsLocal(b) || b.Size < 0 || TaskRunner.Extension(b) != ".parquet")
                || blobs.Sum(b => b.Size) > SqlSession.MaterializedUpTo)
                continue;
            var start = 0;
            for (var end = 0; end < members.Length; end++)
            {
                if (end < members.Length - 1 && end - start + 1 < MaxGroup && !EndsGroup(blobs[end].Sha256)) continue;
                if (end > start)
                {
                    var group = new InputGroup(members[start..(end + 1)], KeyOf(blobs[start..(end + 1)]));
                    foreach (var member in group.Members) plan[member] = group;
                }
                start = end + 1;
            }
        }
        return plan;
    }

    private static bool EndsGroup(string sha256) =>
        sha256.Length >= 8 && uint.TryParse(sha256.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var head) && head % AverageGroup == 0;

    private static string KeyOf(IEnumerable<BlobRef> blobs)
    {
        var text = new StringBuilder(FormatVersion);
        foreach (var blob in blobs) text.Append('\n').Append(blob.Sha256);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
