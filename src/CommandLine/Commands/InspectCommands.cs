using System.CommandLine;
using Orchestration.CommandLine.Output;
using Orchestration.Contracts;
using Orchestration.Runtime;
using Spectre.Console;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>status</c>, <c>describe</c> and <c>history</c>: read the event log, beside a running engine if need be.</summary>
public static class InspectCommands
{
    public static Command Status()
    {
        var command = new Command("status", "List the processes in the data directory with their progress");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (store, owner) = await Engines.OpenEventsAsync(parse);
            await using var _ = owner;
            ProcessViews.Status(await store.LoadAllAsync(cancellationToken));
            return 0;
        });
        return command;
    }

    public static Command Describe()
    {
        var id = new Argument<string>("process-id") { Description = "The process to describe (see: status)" };
        var command = new Command("describe", "Show every task of a process: attempts, worker, duration, outputs") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (store, owner) = await Engines.OpenEventsAsync(parse);
            await using var _ = owner;
            var state = await Load(store, parse.GetValue(id)!, cancellationToken);
            ProcessViews.Describe(state);
            return 0;
        });
        return command;
    }

    public static Command History()
    {
        var id = new Argument<string>("process-id") { Description = "The process whose events to print (see: status)" };
        var at = new Option<long?>("--at") { Description = "Show the process as it stood after event N of its stream" };
        var command = new Command("history", "Print the event stream of a process as readable lines") { id, at };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (store, owner) = await Engines.OpenEventsAsync(parse);
            await using var _ = owner;
            var process = (await Load(store, parse.GetValue(id)!, cancellationToken)).Id;
            var upTo = parse.GetValue(at) ?? long.MaxValue;
            await foreach (var stored in store.ReadStreamAsync(ProcessStreams.StreamOf(process), 0, cancellationToken))
            {
                if (stored.Version > upTo) break;
                Console.WriteLine($"{stored.Version,5} {stored.RecordedAt:yyyy-MM-dd HH:mm:ss.fff} {stored.Event}"); // plain lines: read by people and by grep
            }
            if (parse.GetValue(at) is { } version)
                ProcessViews.Describe(await store.LoadAtAsync(process, version, cancellationToken));
            return 0;
        });
        return command;
    }

    private static async Task<Processes.ProcessState> Load(Ports.IEventStore store, string id, CancellationToken cancellationToken)
    {
        var state = await store.LoadAsync(ProcessId.From(id), cancellationToken);
        if (state.Status != Processes.ProcessStatus.NotStarted) return state;
        var known = (await store.StreamsAsync(cancellationToken)).Select(s => ProcessStreams.ProcessOf(s.Stream)?.Value).OfType<string>().ToList();
        throw CliError.BadArguments($"No process '{id}' in this data directory. Known: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}.");
    }
}
