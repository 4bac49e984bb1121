using System.CommandLine;
using Orchestration.Cli;
using Orchestration.Cli.Commands;
using Orchestration.Processes;

// `orch`: the engine's command line. Every failure ends as one line on stderr and a non-zero exit code.
var root = new RootCommand("Orchestration: an event-sourced engine that runs DuckDB and C# processing graphs on a pool of workers")
{
    CommonOptions.Data,
    DemoCommand.Create(),
    QueryCommand.Create(),
    RunCommand.Create(),
    RunCommand.Submit(),
    InspectCommands.Status(),
    InspectCommands.Describe(),
    InspectCommands.History(),
    SchedulesCommand.Create(),
    LogsCommand.Create(),
    HostCommands.Orchestrator(),
    HostCommands.Worker(),
    HealthCommand.Create(),
    WorkersCommand.Create(),
    ScaleCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"orch: {error.Message}");
    Console.Error.WriteLine("orch: run './orch --help' for the commands and options.");
    return 2;
}
try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CliError error)
{
    Console.Error.WriteLine($"orch: {OneLine(error.Message)}");
    return error.ExitCode;
}
catch (Exception error) when (error is DomainError or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"orch: {OneLine(error.Message)}");
    return 1;
}

// Errors from DuckDB span lines (the SQL and a caret); the user gets them on one line, the history keeps them whole.
static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
