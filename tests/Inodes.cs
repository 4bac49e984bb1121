using System.Diagnostics;

namespace Orchestration.Tests;

/// <summary>A file's inode number, as <c>stat</c> prints it (.NET does not expose it): two names with one inode share their bytes.</summary>
internal static class Inodes
{
    public static string Of(string file)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", file]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return stat.ExitCode == 0 ? inode : throw new InvalidOperationException($"stat {file} exited {stat.ExitCode}");
    }
}
