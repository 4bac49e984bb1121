using System.CommandLine;
using Orchestration.Contracts;
using Orchestration.Hosting;
using Orchestration.Processes;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// <c>orch cancel | retry | pause | resume</c>: control of a process, sent to the orchestrator (or the embedded engine) as
/// a command whose reason records who sent it. A command the process refuses (unknown, ended, in the wrong state) is a
/// one-line error with exit code 2, and changes nothing.
/// </summary>
public static class ControlCommands
{
    public static Command Cancel(OrchestrationSetup setup) => Control(setup, "cancel",
        "Cancel a running or paused process: its queued tasks are skipped and its running tasks stopped on their workers",
        Simply((id, why) => new CancelProcess(id, why)), "cancelled", follows: false);

    public static Command Retry(OrchestrationSetup setup)
    {
        var dataset = new Option<string[]>("--dataset")
        {
            Description = "Fixed copies of a dataset's files: name=<glob> (repeatable; orch query's files are the dataset 'input'), matched file for file in order",
        };
        return Control(setup, "retry",
            "Take up a failed or cancelled process where it stopped: confirmed tasks stay, unconfirmed ones get fresh attempts; waits for its end",
            async (parse, engine, id, why, cancellationToken) =>
            {
                var replaced = new Dictionary<string, IReadOnlyList<BlobRef>>();
                foreach (var (name, glob) in CommonOptions.Pairs("--dataset", parse.GetValue(dataset)))
                    replaced[name] = Inputs.Expand(glob) is { Count: > 0 } files
                        ? await Inputs.UploadAsync(engine.Blobs, files, cancellationToken)
                        : throw CliError.BadArguments($"--dataset {name}={glob} matches no file; give a glob of the fixed files.");
                return new RetryProcess(id, why, replaced.Count > 0 ? replaced : null);
            }, "retried", follows: true, dataset);
    }

    public static Command Pause(OrchestrationSetup setup) => Control(setup, "pause",
        "Pause a running process: no new task is given to workers (queued ones are skipped), running tasks finish",
        Simply((id, why) => new PauseProcess(id, why)), "paused", follows: false);

    public static Command Resume(OrchestrationSetup setup) => Control(setup, "resume",
        "Resume a paused process: its held and skipped tasks are given out again; waits for its end",
        Simply((id, why) => new ResumeProcess(id, why)), "resumed", follows: true);

    private delegate Task<IProcessCommand> MakeCommand(ParseResult parse, Engine engine, ProcessId id, string why, CancellationToken cancellationToken);

    private static MakeCommand Simply(Func<ProcessId, string, IProcessCommand> make) => (_, _, id, why, _) => Task.FromResult(make(id, why));

    /// <param name="follows">The command lets the process run on: it follows it to its end (the embedded engine runs it
    /// meanwhile) unless <c>--no-wait</c>, and writes its result with <c>--out</c>.</param>
    private static Command Control(OrchestrationSetup setup, string name, string description, MakeCommand make, string done, bool follows, params Option[] options)
    {
        var id = new Argument<string>("process-id") { Description = $"The process to {name} (orch status lists them)" };
        var reason = new Option<string?>("--reason") { Description = $"Why, recorded in the process's history with who sent the {name}" };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the command is recorded (distributed: the orchestrator runs the process on)" };
        var output = new Option<string?>("--out") { Description = "Where to write the result CSV once the process completes" };
        var command = new Command(name, description) { id, reason };
        foreach (var option in options) command.Options.Add(option);
        if (follows) { command.Options.Add(noWait); command.Options.Add(output); }
        command.SetAction(async (parse, cancellationToken) =>
        {
            var process = ProcessId.From(parse.GetValue(id)!);
            var why = $"{parse.GetValue(reason) ?? $"{done} from the command line"} (by {Environment.UserName} on {Environment.MachineName})";
            await using var engine = await Engines.OpenForCommandsAsync(parse, setup, cancellationToken);
            try
            {
                await engine.SendAsync(await make(parse, engine, process, why, cancellationToken), cancellationToken);
            }
            catch (DomainError refused)
            {
                throw CliError.BadArguments(refused.Message);
            }
            Console.WriteLine($"{process} {done}: {why}");
            if (!follows || parse.GetValue(noWait)) return 0;
            return await ProcessRunner.FollowToTheEndAsync(engine, process, parse.GetValue(output), cancellationToken);
        });
        return command;
    }
}
