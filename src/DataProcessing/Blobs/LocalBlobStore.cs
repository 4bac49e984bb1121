using System.Security.Cryptography;
using Orchestration.Contracts;

namespace Orchestration.DataProcessing.Blobs;

/// <summary>
/// The embedded blob store: a local directory. A blob is written to a temporary file while hashed, then moved
/// into place without overwriting, so readers never see a half-written blob and a name is written once.
/// References look like <c>blob://local/{name}</c>.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private const string Host = "local";
    private readonly string _root;

    public LocalBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public async Task<BlobRef> PutAsync(string name, Stream content, long rows, CancellationToken cancellationToken = default)
    {
        var path = PathOf(BlobNames.Validate(name));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        string sha;
        long size;
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            (sha, size) = (Convert.ToHexStringLower(hash.GetHashAndReset()), file.Length);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            if (await Sha256Of(path, cancellationToken) != sha) throw new BlobConflictException(name);
        }
        return new BlobRef(UriOf(name), sha, size, rows);
    }

    /// <summary>Links the file into the store (no copy) where the kernel allows; copies it otherwise.</summary>
    public async Task<BlobRef> PutFileAsync(string name, string file, string sha256, long rows, CancellationToken cancellationToken = default)
    {
        var path = PathOf(BlobNames.Validate(name));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (FileLink.TryCreate(file, path)) return new BlobRef(UriOf(name), sha256, new FileInfo(path).Length, rows);
        if (File.Exists(path))
            return await Sha256Of(path, cancellationToken) == sha256 ? new BlobRef(UriOf(name), sha256, new FileInfo(path).Length, rows) : throw new BlobConflictException(name);
        return await IBlobStore.CopyFileAsync(this, name, file, sha256, rows, cancellationToken); // another file system
    }

    /// <summary>Links the stored file into place and reads it once to check its hash: the bytes are not copied.</summary>
    /// <summary>The largest blob whose hash a fetch works out without waiting (a merge's 100 partials are a few kB each).</summary>
    private const long HashedInPlaceUpTo = 1 << 20;

    public async Task FetchForReadingAsync(BlobRef blob, string localPath, CancellationToken cancellationToken = default)
    {
        var name = NameOf(blob);
        var path = PathOf(name);
        if (!File.Exists(path) || !FileLink.TryCreate(path, localPath))
        {
            await IBlobStore.DownloadForReadingAsync(this, blob, localPath, cancellationToken);
            return;
        }
        try
        {
            // A small file's hash is worked out here: an asynchronous read would cost more in hand-offs than the read.
            var small = blob.Size is >= 0 and <= HashedInPlaceUpTo;
            await using var linked = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: !small);
            var hash = small ? SHA256.HashData(linked) : await SHA256.HashDataAsync(linked, cancellationToken);
            HashingStream.Check(name, Convert.ToHexStringLower(hash), blob.Sha256);
        }
        catch
        {
            File.Delete(localPath);
            throw;
        }
    }

    public async Task DownloadAsync(BlobRef blob, string localPath, CancellationToken cancellationToken = default)
    {
        await using var source = await OpenReadAsync(blob, cancellationToken);
        await using var target = new FileStream(localPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await source.CopyToAsync(target, cancellationToken); // reads to the end, where the hash is checked
    }

    public Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken = default)
    {
        var name = NameOf(blob);
        var path = PathOf(name);
        if (!File.Exists(path))
            throw new BlobCorruptException($"Blob '{name}' is missing from the blob store at {_root}. Was the data directory cleaned while a process ran?");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Task.FromResult<Stream>(new HashingStream(file, blob.Sha256, name));
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(BlobNames.Validate(name))));

    public Task<bool> HoldsAsync(BlobRef blob, CancellationToken cancellationToken = default) =>
        Task.FromResult(blob.Uri.Scheme == "blob" && blob.Uri.Host == Host && File.Exists(PathOf(NameOf(blob))));

    string? IBlobStore.NameOf(BlobRef blob) =>
        blob.Uri.Scheme == "blob" && blob.Uri.Host == Host ? NameOf(blob) : null;

    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The folder the prefix names (or the root), then the names within it that start with the prefix.
        var folder = prefix.Contains('/') ? PathOf(BlobNames.Validate(prefix[..prefix.LastIndexOf('/')])) : _root;
        if (!Directory.Exists(folder)) yield break;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            long size;
            try { size = new FileInfo(file).Length; }
            catch (FileNotFoundException) { continue; } // deleted meanwhile
            yield return new StoredBlob(name, UriOf(name), size);
        }
        await Task.CompletedTask;
    }

    public Task<long> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathOf(BlobNames.Validate(name)));
        if (!file.Exists) return Task.FromResult(0L);
        // A user's input file linked into the store keeps its bytes under its own name: removing ours frees nothing.
        var size = FileLink.NamesOf(file.FullName) > 1 ? 0 : file.Length;
        file.Delete();
        // Empty folders go too, up to the root, so a pruned process leaves no trace.
        for (var folder = file.Directory; folder is not null && folder.FullName != _root && !folder.EnumerateFileSystemInfos().Any(); folder = folder.Parent)
            try { folder.Delete(); }
            catch (IOException) { break; } // a writer put something in it meanwhile
        return Task.FromResult(size);
    }

    private static Uri UriOf(string name) => new($"blob://{Host}/{name}");

    private string NameOf(BlobRef blob)
    {
        if (blob.Uri.Scheme != "blob" || blob.Uri.Host != Host)
            throw new ArgumentException($"Blob {blob.Uri} does not belong to the local blob store (blob://{Host}/...).", nameof(blob));
        return BlobNames.Validate(Uri.UnescapeDataString(blob.Uri.AbsolutePath.TrimStart('/')));
    }

    private string PathOf(string name)
    {
        var path = Path.GetFullPath(Path.Combine(_root, name));
        // Validation already forbids '..'; this is the second lock on the same door.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"Blob name '{name}' escapes the blob store's directory.", nameof(name));
        return path;
    }

    private static async Task<string> Sha256Of(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }
}
