using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Orchestration.Operations.Scaling;

/// <summary>SIGTERM for a child process: .NET can only kill (SIGKILL), which would not let a worker hand back its task.</summary>
internal static class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(Process process)
    {
        if (OperatingSystem.IsWindows())
        {
            process.Kill(); // no SIGTERM there; the broker still hands the unacknowledged tasks back
            return;
        }
        if (kill(process.Id, SigTerm) != 0 && !process.HasExited)
            throw new InvalidOperationException($"Could not send SIGTERM to process {process.Id} (errno {Marshal.GetLastPInvokeError()}).");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
