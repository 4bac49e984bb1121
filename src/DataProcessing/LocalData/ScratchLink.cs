using System.Runtime.InteropServices;

namespace Orchestration.DataProcessing.LocalData;

/// <summary>
/// Puts a local file into a task's scratch area, where the DuckDB sandbox may read it, without reading its bytes:
/// a hard link (same inode, no copy) when the root is on the scratch's file system and the kernel allows it, a copy
/// otherwise. A symbolic link would not do: the sandbox follows links and refuses any that leave its root.
/// </summary>
public static partial class ScratchLink
{
    /// <summary>Makes <paramref name="destination"/> (inside the task's scratch) hold the bytes of <paramref name="source"/>.</summary>
    public static void Create(string source, string destination)
    {
        if (!OperatingSystem.IsWindows() && Link(source, destination) == 0) return;
        // EXDEV (another file system) or EPERM (fs.protected_hardlinks on a file the worker does not own).
        File.Copy(source, destination, overwrite: false);
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
