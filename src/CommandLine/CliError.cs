namespace Orchestration.CommandLine;

/// <summary>A failure to report to the user as one line on stderr, with the exit code to end with.</summary>
public sealed class CliError(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliError BadArguments(string message) => new(message, 2);
}
