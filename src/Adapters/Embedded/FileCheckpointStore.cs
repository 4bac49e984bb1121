using System.Buffers.Binary;
using Orchestration.Ports;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// Checkpoints as small files (the position, then the state), replaced atomically: written to a temporary file, flushed,
/// then renamed over, so a crash leaves the old checkpoint or the new one, never half of one.
/// </summary>
public sealed class FileCheckpointStore(string directory) : ICheckpointStore
{
    public async Task<Checkpoint> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        if (!File.Exists(path)) return Checkpoint.Start;
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        if (bytes.Length < sizeof(long))
            throw new IOException($"The checkpoint '{path}' is damaged ({bytes.Length} bytes). Delete it: the follower then reads the log from its start.");
        return new Checkpoint(BinaryPrimitives.ReadInt64LittleEndian(bytes), bytes[sizeof(long)..]);
    }

    public async Task SaveAsync(string name, long position, Func<Stream, CancellationToken, Task> writeState, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var path = PathOf(name);
        var temporary = path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var bytes = new byte[sizeof(long)];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, position);
            await file.WriteAsync(bytes, cancellationToken);
            await writeState(file, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private string PathOf(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? Path.Combine(directory, name + ".checkpoint")
            : throw new ArgumentException($"Checkpoint name '{name}' may hold only letters, digits, '-' and '_'.", nameof(name));
}
