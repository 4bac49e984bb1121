using System.Security.Cryptography;

namespace Orchestration.DataProcessing.Blobs;

/// <summary>Reads through to an inner stream, hashing as it goes, and checks the SHA-256 at the end.</summary>
public sealed class HashingStream(Stream inner, string expectedSha256, string blobName) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _checked;

    public override int Read(byte[] buffer, int offset, int count) => Hashed(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Hashed(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Hashed(ReadOnlySpan<byte> read)
    {
        if (read.Length > 0) _hash.AppendData(read);
        else if (!_checked)
        {
            _checked = true;
            Check(blobName, Convert.ToHexStringLower(_hash.GetHashAndReset()), expectedSha256);
        }
        return read.Length;
    }

    /// <summary>Throws <see cref="BlobCorruptException"/> when the bytes read hashed to something other than the reference's SHA-256.</summary>
    public static void Check(string blobName, string actualSha256, string expectedSha256)
    {
        if (actualSha256 != expectedSha256)
            throw new BlobCorruptException($"Blob '{blobName}' is corrupt: its SHA-256 is {actualSha256}, but its reference says {expectedSha256}. " +
                                           "Re-run the task that wrote it (for an input, give the file again: it was changed after it was given).");
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); _hash.Dispose(); }
        base.Dispose(disposing);
    }
}
