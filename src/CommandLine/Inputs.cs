using System.Security.Cryptography;
using System.Text;
using Orchestration.Contracts;
using Microsoft.Extensions.FileSystemGlobbing;
using Orchestration.DataProcessing.Blobs;

namespace Orchestration.CommandLine;

/// <summary>
/// Gives a user's local files to the blob store, named by their content so the same file is stored once. The embedded
/// store links them (no copy of the bytes); a remote one uploads them.
/// </summary>
public static class Inputs
{
    public static async Task<IReadOnlyList<BlobRef>> UploadAsync(IBlobStore blobs, IEnumerable<string> files, CancellationToken cancellationToken)
    {
        var paths = files.ToArray();
        foreach (var file in paths)
            if (!File.Exists(file)) throw new CliError($"Input file '{file}' does not exist.");
        // Hashing is the one pass over every byte that a linking store needs: one file per core at a time.
        var refs = new BlobRef[paths.Length];
        await Parallel.ForAsync(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (i, token) =>
        {
            string sha;
            await using (var read = new FileStream(paths[i], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, token));
            refs[i] = await blobs.PutFileAsync($"inputs/{sha[..24]}/{SafeFileName(paths[i])}", paths[i], sha, rows: -1, token);
        });
        return refs;
    }

    /// <summary>Expands a glob such as <c>data/*.parquet</c> or <c>logs/**/*.csv</c> relative to the working directory.</summary>
    public static IReadOnlyList<string> Expand(string glob)
    {
        var full = Path.GetFullPath(glob);
        var firstWildcard = full.IndexOfAny(['*', '?', '[']);
        if (firstWildcard < 0) return File.Exists(full) ? [full] : [];
        var root = Path.GetDirectoryName(full[..firstWildcard] + "x")!;
        if (!Directory.Exists(root)) return [];
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(Path.GetRelativePath(root, full));
        return matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>A deterministic id for the same work over the same bytes: running it again resumes it.</summary>
    public static ProcessId ProcessIdFor(string kind, string definition, IEnumerable<BlobRef> blobs, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var text = new StringBuilder(definition);
        foreach (var blob in blobs) text.Append('|').Append(blob.Sha256);
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal)) text.Append('|').Append(key).Append('=').Append(value);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        return ProcessId.From($"{kind}-{hash[..12]}");
    }

    private static string SafeFileName(string file)
    {
        var name = new string(Path.GetFileName(file).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        return name.TrimStart('.') is { Length: > 0 } trimmed ? trimmed : "file";
    }
}
