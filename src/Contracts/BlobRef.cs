namespace Orchestration.Contracts;

/// <summary>
/// A reference to an immutable blob: where it is, what its bytes hash to, how big it is and how many rows it holds.
/// Messages carry these, never the data itself.
/// </summary>
/// <param name="Uri">Where the blob lives, e.g. <c>blob://local/p-1/map/0/a1/part-0.parquet</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes; readers verify it.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Rows">Row count, or -1 when unknown (e.g. an opaque file).</param>
public sealed record BlobRef(Uri Uri, string Sha256, long Size, long Rows)
{
    public override string ToString() => $"{Uri} ({Size:N0} bytes, {(Rows < 0 ? "? rows" : $"{Rows:N0} rows")}, sha256 {ShortHash}…)";

    /// <summary>The first 12 hex digits of the SHA-256: enough for a person to tell two blobs apart.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ShortHash => Sha256[..Math.Min(12, Sha256.Length)];

    /// <summary>Whether two lists of blobs hold the same bytes, in order, wherever and under whatever names they are stored.</summary>
    public static bool SameContent(IReadOnlyList<BlobRef> a, IReadOnlyList<BlobRef> b) => a.Select(o => o.Sha256).SequenceEqual(b.Select(o => o.Sha256));

    /// <summary>The short hashes of a list of blobs, for a message: <c>sha256 ab12…, cd34…</c>.</summary>
    public static string ShortHashes(IReadOnlyList<BlobRef> blobs) => blobs.Count == 0 ? "no output" : $"sha256 {string.Join(", ", blobs.Select(b => b.ShortHash))}";
}

/// <summary>A blob given to a task under a view name: every blob named <c>input</c> forms the view <c>input</c>.</summary>
public sealed record TaskInput(string Name, BlobRef Blob)
{
    public override string ToString() => $"{Name} = {Blob.Uri}";
}
