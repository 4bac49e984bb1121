using System.CommandLine;
using Orchestration.Contracts;
using Orchestration.Hosting;
using Orchestration.Retention;

namespace Orchestration.CommandLine.Commands;

/// <summary>
/// <c>orch prune</c>: retention. Archives ended processes' histories to the blob store, removes their events and deletes
/// the blobs nothing else uses (final outputs stay unless <c>--outputs</c>). Runs where the runtime runs: in this
/// process on the data directory, or on the deployment's orchestrator. A request that cannot be run deletes nothing.
/// </summary>
public static class PruneCommand
{
    public static Command Create(OrchestrationSetup setup)
    {
        var ids = new Argument<string[]>("process-id") { Description = "Ended processes to prune (orch status lists them)", Arity = ArgumentArity.ZeroOrMore };
        var endedBefore = new Option<string?>("--ended-before") { Description = "Prune every process that ended before this: an age (7d, 12h, 30m, 0s) or a time (2026-11-30, 2026-11-30T08:00:00Z)" };
        var keepLast = new Option<int?>("--keep-last") { Description = "Keep the newest N ended processes of each graph, whatever their age" };
        var outputs = new Option<bool>("--outputs") { Description = "Delete the pruned processes' final outputs too (kept by default)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print what would be removed" };
        var reason = new Option<string?>("--reason") { Description = "Why, recorded in each archived history and in the retention record" };
        var command = new Command("prune", "Archive ended processes' histories, remove their events and delete the blobs nothing else uses")
        {
            ids, endedBefore, keepLast, outputs, dryRun, reason,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            DateTimeOffset? before = null;
            if (parse.GetValue(endedBefore) is { } text)
            {
                try { before = Cutoff.Parse(text, DateTimeOffset.UtcNow); }
                catch (FormatException bad) { throw CliError.BadArguments($"--ended-before {bad.Message} Nothing was deleted."); }
            }
            var request = new PruneRequest(parse.GetValue(ids)!.Select(ProcessId.From).ToList(), before, parse.GetValue(keepLast), parse.GetValue(outputs),
                $"{parse.GetValue(reason) ?? "pruned from the command line"} (by {Environment.UserName} on {Environment.MachineName})", parse.GetValue(dryRun));
            if (request.Problem() is { } problem) throw CliError.BadArguments(problem);
            await using var engine = await Engines.OpenForCommandsAsync(parse, setup, cancellationToken);
            PruneReport report;
            try { report = await engine.PruneAsync(request, cancellationToken); }
            catch (PruneRefusedException refused) { throw CliError.BadArguments(refused.Message); }
            Console.WriteLine(report);
            foreach (var (id, archive) in report.Pruned.Zip(report.Archives))
                Console.WriteLine($"  {id}: history {(report.DryRun ? "would go" : "archived")} to {archive}");
            foreach (var skipped in report.Skipped) Console.WriteLine($"  skipped: {skipped}");
            return 0;
        });
        return command;
    }
}
