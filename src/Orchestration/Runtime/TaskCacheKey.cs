using System.Security.Cryptography;
using System.Text;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.Runtime;

/// <summary>
/// A task's cache key: a SHA-256 over everything that determines its output, as its worker would receive it: the work
/// (SQL text, or C# step name and version, or a shuffle's key), the content hash of every input and side input under its
/// view name, its parameters (the process's and the step's, its partition and their count, its target and item), the
/// lists it reports, and a format version. Not the process, task id or attempt: the same work over the same bytes in
/// another process has the same key. A task that reads local files in place has none: their bytes are not hashed, and
/// may change between runs under the same reference.
/// </summary>
public static class TaskCacheKey
{
    /// <summary>Changed whenever what goes into a key, or what a cached result means, changes: old entries then never match.</summary>
    public const string Format = "orchestration-task-cache-v1";

    public static string? Of(RunTask task)
    {
        if (task.Inputs.Any(i => LocalInput.IsLocal(i.Blob) || string.IsNullOrEmpty(i.Blob.Sha256))) return null;
        var text = new StringBuilder(Format).Append('\n');
        Field(text, task.Work.Kind.ToString());
        Field(text, task.Work.Body);
        Field(text, task.Work.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var input in task.Inputs) { Field(text, input.Name); Field(text, input.Blob.Sha256); }
        text.Append("--parameters\n");
        foreach (var (key, value) in task.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal)) { Field(text, key); Field(text, value); }
        text.Append("--lists\n");
        foreach (var (key, column) in (task.Lists ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal)) { Field(text, key); Field(text, column); }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // Length-prefixed, so no two different field lists read as the same text.
    private static void Field(StringBuilder text, string value) => text.Append(value.Length).Append(':').Append(value).Append('\n');
}
