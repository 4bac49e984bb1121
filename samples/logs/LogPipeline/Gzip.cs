using System.IO.Compression;

namespace LogPipeline;

internal static class Gzip
{
    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="target"/> and returns its line count. The same bytes
    /// give the same archive (GZipStream writes no time or name in its header), which is what lets a re-run put the
    /// same blob again into a write-once store.
    /// </summary>
    public static async Task<long> CompressAsync(string source, string target, CancellationToken cancellationToken)
    {
        await using var input = File.OpenRead(source);
        await using var output = File.Create(target);
        await using var zip = new GZipStream(output, CompressionLevel.Optimal);
        var buffer = new byte[1 << 16];
        long lines = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            await zip.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return lines;
    }
}
