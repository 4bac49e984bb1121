using System.Runtime.InteropServices;

namespace Orchestration.DataProcessing.Blobs;

/// <summary>
/// Gives a file a second name without reading its bytes: a hard link (same inode, no copy) when both names are on one
/// file system and the kernel allows it. Used to put inputs into a task's scratch area, where the DuckDB sandbox may
/// read them, and to take a user's input file into the embedded blob store. A symbolic link would not do: the sandbox
/// follows links and refuses any that leave its root.
/// </summary>
public static partial class FileLink
{
    /// <summary>Makes <paramref name="destination"/> a hard link to <paramref name="source"/>; false when the kernel refuses (then copy).</summary>
    public static bool TryCreate(string source, string destination) =>
        !OperatingSystem.IsWindows() && Link(source, destination) == 0; // EXDEV (another file system), EPERM (fs.protected_hardlinks on a file the worker does not own), EEXIST

    /// <summary>Makes <paramref name="destination"/> hold the bytes of <paramref name="source"/>: linked where it can be, copied otherwise.</summary>
    public static void LinkOrCopy(string source, string destination)
    {
        if (!TryCreate(source, destination)) File.Copy(source, destination, overwrite: false);
    }

    /// <summary>How many names the file has (1 for a file of its own); 1 where the kernel cannot say.</summary>
    public static unsafe int NamesOf(string path)
    {
        if (!OperatingSystem.IsLinux()) return 1;
        // struct statx has one layout on every architecture; stx_nlink is the 32-bit field at byte 16.
        var buffer = stackalloc byte[256];
        return Statx(AtCurrentDirectory, path, 0, StatxNlink, buffer) == 0 ? (int)*(uint*)(buffer + 16) : 1;
    }

    private const int AtCurrentDirectory = -100;
    private const uint StatxNlink = 0x4;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
