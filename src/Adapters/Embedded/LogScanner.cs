using Microsoft.Win32.SafeHandles;

namespace Orchestration.Adapters.Embedded;

/// <summary>
/// Reads a log of lines from its start through one bounded buffer, so a log of any size opens: only a line
/// longer than the buffer grows it, to that line's length.
/// </summary>
internal static class LogScanner
{
    public const int BufferSize = 1 << 18;

    /// <summary>
    /// Hands each whole line (without its newline) and the offset where it ends to <paramref name="line"/> until that
    /// returns false or the log ends. A last line without a newline is never handed on: it is a torn write.
    /// </summary>
    public static void Scan(SafeFileHandle log, Func<ReadOnlySpan<byte>, long, bool> line)
    {
        var buffer = new byte[BufferSize];
        long bufferAt = 0; // the log offset of buffer[0]
        var filled = 0;
        while (true)
        {
            var read = RandomAccess.Read(log, buffer.AsSpan(filled), bufferAt + filled);
            if (read == 0) return;
            filled += read;
            var start = 0;
            for (int newline; (newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0; start += newline + 1)
                if (!line(buffer.AsSpan(start, newline), bufferAt + start + newline + 1)) return;

            // The unfinished line moves to the front, to be completed by the next read.
            if (start == 0 && filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            else buffer.AsSpan(start, filled - start).CopyTo(buffer);
            bufferAt += start;
            filled -= start;
        }
    }
}
