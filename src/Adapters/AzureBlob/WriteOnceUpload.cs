using System.Buffers;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Orchestration.Adapters.AzureBlob;

/// <summary>How a write-once upload ended: the hash and size of the bytes sent, and whether the name was taken.</summary>
internal sealed record UploadOutcome(string Sha256, long Size, RequestFailedException? RefusedBecauseTheNameExists);

/// <summary>
/// Streams content into a block blob that must not exist yet, hashing it on the way, with a fixed amount of memory:
/// at most <see cref="BlocksInFlight"/> blocks are being sent while the next one is read.
/// </summary>
/// <remarks>
/// Blocks are staged by hand rather than through <c>BlobClient.UploadAsync</c> because the metadata goes with the
/// final request and must hold the SHA-256, which is known only once the last byte was read; the SDK takes the
/// metadata before it reads the stream. (Left to its defaults the SDK would also buffer a non-seekable stream up
/// to its 256 MiB single-upload threshold before sending anything.) Block ids start with a prefix of their own per
/// upload, so two writers racing on one name never overwrite each other's uncommitted blocks.
/// The If-None-Match: * condition sits on that final Put Blob or Put Block List, so a taken name is only found out
/// after the bytes were sent; the caller then compares hashes.
/// </remarks>
internal static class WriteOnceUpload
{
    internal const int BlockSize = 4 * 1024 * 1024;
    private const int BlocksInFlight = 2;

    private static readonly BlobRequestConditions OnlyIfNew = new() { IfNoneMatch = ETag.All };

    public static async Task<UploadOutcome> UploadAsync(BlockBlobClient blob, Stream content, long rows, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var first = ArrayPool<byte>.Shared.Rent(BlockSize);
        int read;
        try
        {
            read = await ReadBlockAsync(content, first, hash, cancellationToken);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(first);
            throw;
        }
        // Both paths take the first buffer over and return it to the pool.
        return read < BlockSize
            ? await PutWholeAsync(blob, first, read, hash, rows, cancellationToken)
            : await StageAndCommitAsync(blob, content, first, hash, rows, cancellationToken);
    }

    /// <summary>Content that fits in one block goes in a single Put Blob: one request, atomic with its metadata.</summary>
    private static async Task<UploadOutcome> PutWholeAsync(
        BlockBlobClient blob, byte[] buffer, int length, IncrementalHash hash, long rows, CancellationToken cancellationToken)
    {
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        try
        {
            using var bytes = new MemoryStream(buffer, 0, length, writable: false);
            await blob.UploadAsync(bytes, new BlobUploadOptions { Metadata = StoredBlobMetadata.For(sha, rows), Conditions = OnlyIfNew }, cancellationToken);
            return new UploadOutcome(sha, length, null);
        }
        catch (RequestFailedException e) when (NameIsTaken(e))
        {
            return new UploadOutcome(sha, length, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<UploadOutcome> StageAndCommitAsync(
        BlockBlobClient blob, Stream content, byte[] first, IncrementalHash hash, long rows, CancellationToken cancellationToken)
    {
        var uploadId = Guid.NewGuid().ToByteArray();
        var blockIds = new List<string>();
        var inFlight = new Queue<(Task Staging, byte[] Buffer)>();
        var (buffer, read, size) = (first, BlockSize, (long)BlockSize);
        try
        {
            while (true)
            {
                var blockId = BlockId(uploadId, blockIds.Count);
                blockIds.Add(blockId);
                inFlight.Enqueue((blob.StageBlockAsync(blockId, new MemoryStream(buffer, 0, read, writable: false), cancellationToken: cancellationToken), buffer));
                buffer = null;
                if (read < BlockSize) break;
                if (inFlight.Count == BlocksInFlight) await FinishOldestAsync(inFlight);
                buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
                read = await ReadBlockAsync(content, buffer, hash, cancellationToken);
                size += read;
                if (read == 0) break;
            }
            while (inFlight.Count > 0) await FinishOldestAsync(inFlight);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            await AbandonAsync(inFlight);
        }
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        try
        {
            await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { Metadata = StoredBlobMetadata.For(sha, rows), Conditions = OnlyIfNew }, cancellationToken);
            return new UploadOutcome(sha, size, null);
        }
        catch (RequestFailedException e) when (NameIsTaken(e) || e.ErrorCode == BlobErrorCode.InvalidBlockList)
        {
            // InvalidBlockList: a rival's commit discarded our uncommitted blocks. The caller tells that apart from
            // a real failure by checking that the blob now exists.
            return new UploadOutcome(sha, size, e);
        }
    }

    private static async Task FinishOldestAsync(Queue<(Task Staging, byte[] Buffer)> inFlight)
    {
        var (staging, buffer) = inFlight.Peek();
        await staging;
        inFlight.Dequeue();
        ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>After a failure, lets the other stagings end before their buffers go back to the pool.</summary>
    private static async Task AbandonAsync(Queue<(Task Staging, byte[] Buffer)> inFlight)
    {
        while (inFlight.TryDequeue(out var pending))
        {
            try { await pending.Staging; }
            catch (Exception) { /* the first failure is already on its way up */ }
            ArrayPool<byte>.Shared.Return(pending.Buffer);
        }
    }

    private static async Task<int> ReadBlockAsync(Stream content, byte[] buffer, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var read = await content.ReadAtLeastAsync(buffer.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, cancellationToken);
        hash.AppendData(buffer, 0, read);
        return read;
    }

    /// <summary>An upload's own prefix plus the block's index; all ids of a blob must have the same length.</summary>
    private static string BlockId(byte[] uploadId, int index) =>
        Convert.ToBase64String([.. uploadId, .. BitConverter.GetBytes(index)]);

    private static bool NameIsTaken(RequestFailedException e) =>
        e.Status is 409 or 412 || e.ErrorCode == BlobErrorCode.BlobAlreadyExists || e.ErrorCode == BlobErrorCode.ConditionNotMet;
}
