using System.CommandLine;
using Orchestration.Graphs;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>--target</c> and its companions: which labeled workers run a query's tasks.</summary>
internal static class TargetOptions
{
    public static readonly Option<string?> Target = new("--target")
    {
        Description = "Run the tasks only on workers whose labels match: a selector (region=EU, 'region in (EU,NorthAmerica)', '!country=US', store=paris-1; "
                      + "terms separated by commas all hold) or a name from the targets file",
    };

    public static readonly Option<string?> Mode = new("--target-mode")
    {
        Description = "all: one task on every matching worker (the default for local:// inputs: each reads its own files); any: each task on one of them (the default otherwise)",
    };

    public static readonly Option<string?> File = new("--targets-file")
    {
        Description = $"Named targets, one 'name: selector' a line (default: ./{NamedTargets.DefaultFile} if there is one)",
    };

    public static readonly Option<double> Wait = new("--wait-for-workers")
    {
        Description = "Seconds to wait for a matching worker before the query fails (default: fail at once, listing the live workers)",
        DefaultValueFactory = _ => 0,
    };

    public static IEnumerable<Option> All => [Target, Mode, File, Wait];

    static TargetOptions() => Mode.AcceptOnlyFromAmong("all", "any");

    /// <summary>The placement of the query's tasks, or null without <c>--target</c>.</summary>
    public static Placement? From(ParseResult parse, bool localInput)
    {
        if (parse.GetValue(Target) is not { } target)
            return parse.GetValue(Mode) is null ? null : throw CliError.BadArguments("--target-mode needs a --target to say which workers.");
        if (parse.GetValue(Wait) is not (>= 0 and <= 24 * 3600))
            throw CliError.BadArguments($"--wait-for-workers must be between 0 and 86400 seconds (got {parse.GetValue(Wait)}).");
        var mode = parse.GetValue(Mode) switch { "all" => Graphs.Target.All, "any" => Graphs.Target.Any, _ => localInput ? Graphs.Target.All : Graphs.Target.Any };
        return new Placement(NamedTargets.Resolve(target, parse.GetValue(File)), mode, TimeSpan.FromSeconds(parse.GetValue(Wait)));
    }
}
