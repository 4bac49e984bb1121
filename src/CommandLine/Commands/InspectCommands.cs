using System.CommandLine;
using Orchestration.CommandLine.Output;
using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Runtime;
using Spectre.Console;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>status</c>, <c>describe</c> and <c>history</c>: read the event log, beside a running engine if need be.</summary>
public static class InspectCommands
{
    public static Command Status()
    {
        var page = new Option<int>("--page") { Description = "Which page of processes, the most recently started first", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--page-size") { Description = $"Processes per page (at most {ProcessPage.MaxPageSize})", DefaultValueFactory = _ => 50 };
        var graph = new Option<string?>("--graph") { Description = "Only the processes of this graph" };
        var status = new Option<string?>("--status") { Description = "Only the processes in this status: running, paused, completed, failed or cancelled" };
        status.AcceptOnlyFromAmong("running", "paused", "completed", "failed", "cancelled");
        var command = new Command("status", "List the processes with their progress, newest first, a page at a time") { page, size, graph, status, Json, Wide };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (number, pageSize) = (parse.GetValue(page), parse.GetValue(size));
            try { ProcessPage.Check(number, pageSize); }
            catch (ArgumentOutOfRangeException bad) { throw CliError.BadArguments(bad.Message.Split(" (Parameter")[0]); }
            var filter = new ProcessFilter(parse.GetValue(graph), parse.GetValue(status) is { } word ? Enum.Parse<Processes.ProcessStatus>(word, ignoreCase: true) : null);
            var (_, processes, owner) = await Engines.OpenViewsAsync(parse);
            await using var _ = owner;
            ProcessViews.Status(await processes.PageAsync(number, pageSize, cancellationToken, filter), parse.GetValue(Wide), parse.GetValue(Json), filter);
            return 0;
        });
        return command;
    }

    /// <summary>Every inspect command's: one JSON document on stdout, for scripts.</summary>
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON document instead of tables and lines (for scripts)" };

    /// <summary>Every inspect command's: whole ids and times, whatever the terminal's width.</summary>
    private static readonly Option<bool> Wide = new("--wide") { Description = "Print whole ids, paths and times even where the terminal is narrower" };

    public static Command Describe()
    {
        var id = new Argument<string>("process-id") { Description = "The process to describe (see: status)" };
        var command = new Command("describe", "Show every task of a process: attempts, worker, duration, outputs") { id, Json, Wide };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (store, owner) = await Engines.OpenEventsAsync(parse);
            await using var _ = owner;
            var (events, archive) = await ProcessHistories.ReadAsync(store, Engines.BlobsToRead(parse), parse.GetValue(id)!, cancellationToken);
            if (archive is not null && !parse.GetValue(Json)) Console.WriteLine($"(pruned: read from the archive {archive})");
            ProcessViews.Describe(ProcessHistories.Fold(events), parse.GetValue(Wide), parse.GetValue(Json));
            return 0;
        });
        return command;
    }

    public static Command History()
    {
        var id = new Argument<string>("process-id") { Description = "The process whose events to print (see: status)" };
        var at = new Option<long?>("--at") { Description = "Show the process as it stood after event N of its stream" };
        var command = new Command("history", "Print the event stream of a process as readable lines") { id, at, Json, Wide };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (store, owner) = await Engines.OpenEventsAsync(parse);
            await using var _ = owner;
            var (events, archive) = await ProcessHistories.ReadAsync(store, Engines.BlobsToRead(parse), parse.GetValue(id)!, cancellationToken);
            var upTo = parse.GetValue(at) ?? long.MaxValue;
            if (parse.GetValue(Json))
            {
                ProcessViews.History(events.TakeWhile(e => e.Version <= upTo));
                return 0;
            }
            if (archive is not null) Console.WriteLine($"(pruned: read from the archive {archive})");
            foreach (var stored in events.TakeWhile(e => e.Version <= upTo))
                Console.WriteLine($"{stored.Version,5} {stored.RecordedAt:yyyy-MM-dd HH:mm:ss.fff} {stored.Event}"); // plain lines: read by people and by grep
            if (parse.GetValue(at) is { } version)
                ProcessViews.Describe(ProcessHistories.Fold(events, version), parse.GetValue(Wide));
            return 0;
        });
        return command;
    }
}
