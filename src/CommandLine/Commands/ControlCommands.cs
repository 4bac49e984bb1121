using System.CommandLine;
using Orchestration.Contracts;
using Orchestration.Hosting;
using Orchestration.Processes;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>orch cancel</c>: control of a process in flight, sent to the orchestrator (or the embedded engine) as a command.</summary>
public static class ControlCommands
{
    public static Command Cancel(OrchestrationSetup setup)
    {
        var id = new Argument<string>("process-id") { Description = "The process to cancel (orch status lists them)" };
        var reason = new Option<string?>("--reason") { Description = "Why, recorded in the process's history with who cancelled it" };
        var command = new Command("cancel", "Cancel a running process: its queued tasks are skipped and its running tasks stopped on their workers") { id, reason };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var process = ProcessId.From(parse.GetValue(id)!);
            var why = $"{parse.GetValue(reason) ?? "cancelled from the command line"} (by {Environment.UserName} on {Environment.MachineName})";
            await using var engine = await Engines.OpenForCommandsAsync(parse, setup, cancellationToken);
            try
            {
                await engine.SendAsync(new CancelProcess(process, why), cancellationToken);
            }
            catch (DomainError refused)
            {
                throw CliError.BadArguments(refused.Message);
            }
            Console.WriteLine($"{process} cancelled: {why}");
            return 0;
        });
        return command;
    }
}
