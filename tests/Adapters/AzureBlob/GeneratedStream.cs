using System.Security.Cryptography;

namespace Orchestration.Tests.Adapters.AzureBlob;

/// <summary>
/// A non-seekable source of pseudo-random bytes that are made as they are read, like a pipe from a running step:
/// the uploader cannot ask its length or rewind it. It hashes what it hands out, so a test knows the expected SHA-256.
/// </summary>
internal sealed class GeneratedStream(long length, int seed, Func<long, Task>? afterRead = null) : Stream
{
    private readonly Random _random = new(seed);
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _sha256;

    public long Produced { get; private set; }

    /// <summary>The SHA-256 of all the bytes, once they were read.</summary>
    public string Sha256 => _sha256 ?? throw new InvalidOperationException("The stream was not read to its end.");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var count = (int)Math.Min(buffer.Length, length - Produced);
        _random.NextBytes(buffer.Span[..count]);
        _hash.AppendData(buffer.Span[..count]);
        Produced += count;
        if (count == 0) _sha256 ??= Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (afterRead is not null) await afterRead(Produced);
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Produced; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
