namespace Orchestration.CommandLine;

/// <summary>
/// On SIGTERM or Ctrl-C, System.CommandLine cancels the action and gives it two seconds; then it returns from Main
/// and the process exits, whatever the action was still doing. A host's graceful stop takes longer (a worker's running
/// tasks get <c>--grace-seconds</c>), so the exit is held until the action is done: the runtime runs ProcessExit
/// handlers to completion before it ends the process.
/// </summary>
public static class GracefulExit
{
    public static async Task HoldUntilDone(Task running, TimeSpan atMost)
    {
        void Hold(object? sender, EventArgs e) => Task.WhenAny(running).Wait(atMost);
        AppDomain.CurrentDomain.ProcessExit += Hold;
        try { await running; }
        finally { AppDomain.CurrentDomain.ProcessExit -= Hold; }
    }
}
