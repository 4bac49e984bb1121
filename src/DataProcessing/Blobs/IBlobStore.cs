using Orchestration.Contracts;

namespace Orchestration.DataProcessing.Blobs;

/// <summary>
/// The blob store port: immutable, write-once blobs named by relative paths. Adapters: a local directory
/// (embedded) and Azure Blob Storage (distributed); both pass the same contract tests.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Writes a blob once and returns its reference (with its SHA-256). Writing a name that exists with the same
    /// bytes returns the existing blob (a re-run task is idempotent); with other bytes it throws <see cref="BlobConflictException"/>.
    /// </summary>
    Task<BlobRef> PutAsync(string name, Stream content, long rows, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a local file (a user's input) as a blob, given the SHA-256 the caller computed for its name. A store on the
    /// same disk takes the file's bytes without copying them (a hard link): the file must then not be changed in place,
    /// and a read finds out if it was, since every read checks the hash. Other stores upload the bytes.
    /// </summary>
    Task<BlobRef> PutFileAsync(string name, string file, string sha256, long rows, CancellationToken cancellationToken = default) =>
        CopyFileAsync(this, name, file, sha256, rows, cancellationToken);

    /// <summary><see cref="PutFileAsync"/> by uploading the file's bytes, checking they still hash to <paramref name="sha256"/>.</summary>
    static async Task<BlobRef> CopyFileAsync(IBlobStore store, string name, string file, string sha256, long rows, CancellationToken cancellationToken)
    {
        await using var content = File.OpenRead(file);
        var blob = await store.PutAsync(name, content, rows, cancellationToken);
        return blob.Sha256 == sha256 ? blob
            : throw new IOException($"File '{file}' changed while it was stored (its SHA-256 was {sha256}, then {blob.Sha256}). Give it again once nothing writes to it.");
    }

    /// <summary>Copies a blob to a local file, checking its SHA-256; throws <see cref="BlobCorruptException"/> on a mismatch.</summary>
    Task DownloadAsync(BlobRef blob, string localPath, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts a blob's bytes at a local path that is only read (a task's input in its scratch directory): a store on the
    /// same file system links its own file there (no copy), others download. The SHA-256 is checked either way. The file
    /// must never be written: it may be the store's own bytes.
    /// </summary>
    Task FetchForReadingAsync(BlobRef blob, string localPath, CancellationToken cancellationToken = default) =>
        DownloadForReadingAsync(this, blob, localPath, cancellationToken);

    /// <summary><see cref="FetchForReadingAsync"/> by downloading: bytes that fail the check (or a download cut short) are removed, never left for a task.</summary>
    static async Task DownloadForReadingAsync(IBlobStore store, BlobRef blob, string localPath, CancellationToken cancellationToken)
    {
        try
        {
            await store.DownloadAsync(blob, localPath, cancellationToken);
        }
        catch
        {
            File.Delete(localPath);
            throw;
        }
    }

    /// <summary>Opens a blob for streaming; the SHA-256 is checked when the stream reaches its end.</summary>
    Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Whether the blob is still there (by name; its bytes are checked when it is read); false for a blob of another store.</summary>
    Task<bool> HoldsAsync(BlobRef blob, CancellationToken cancellationToken = default);

    /// <summary>The blob's name in this store; null for a blob of another store.</summary>
    string? NameOf(BlobRef blob);

    /// <summary>The blobs whose names start with <paramref name="prefix"/> (a folder such as <c>tasks/p-1/</c>), in no particular order.</summary>
    IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a blob for good (retention: nothing references it any more) and returns the bytes freed; 0 when it was not there.
    /// The name may then be written again.
    /// </summary>
    Task<long> DeleteAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>A blob as a listing finds it: its name, its reference's address and its size.</summary>
public sealed record StoredBlob(string Name, Uri Uri, long Size);

/// <summary>A blob name was written again with other bytes: blobs are immutable.</summary>
public sealed class BlobConflictException(string name)
    : IOException($"Blob '{name}' already exists with other content; blobs are write-once. Write the new content under a new name (e.g. the next attempt's).")
{
    public string Name { get; } = name;
}

/// <summary>A blob's bytes do not hash to the SHA-256 its reference records, or the blob is missing.</summary>
public sealed class BlobCorruptException(string message) : IOException(message);
