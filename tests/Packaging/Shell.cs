using System.Diagnostics;
using Orchestration.Tests.EndToEnd;

namespace Orchestration.Tests.Packaging;

/// <summary>Runs a command as a user types it, in a folder of theirs, and keeps what it printed.</summary>
internal static class Shell
{
    public static async Task<OrchCli.Result> RunAsync(string workingDirectory, TimeSpan timeout, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', args)}' in {workingDirectory} took more than {timeout}: {await output}{await error}");
        }
        return new OrchCli.Result(process.ExitCode, await output, await error);
    }

    /// <summary>As <see cref="RunAsync"/>, failing with everything the command printed unless it exits 0.</summary>
    public static async Task<OrchCli.Result> SucceedAsync(string workingDirectory, TimeSpan timeout, string file, params string[] args)
    {
        var result = await RunAsync(workingDirectory, timeout, file, args);
        return result.ExitCode == 0 ? result : throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' in {workingDirectory} failed: {result}");
    }
}
