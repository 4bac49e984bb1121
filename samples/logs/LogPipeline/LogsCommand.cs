using Orchestration.CommandLine;
using System.CommandLine;
using System.Globalization;

namespace LogPipeline;

/// <summary><c>orch logs generate</c>: a node's log lines for the log pipeline sample (graph <c>security-logs</c>).</summary>
public static class LogsCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "The node's data directory (what its worker allows as --allow-local logs=<dir>)", Required = true };
        var lines = new Option<int>("--lines") { Description = "Lines to append to <dir>/current.log", DefaultValueFactory = _ => 1000 };
        var rotate = new Option<bool>("--rotate") { Description = "Then move current.log to <dir>/raw-logs/<yyyymmddhhmm>.log" };
        var seed = new Option<int?>("--seed") { Description = "Random seed: the same lines on every run (for tests and checkable counts)" };
        var at = new Option<string?>("--at") { Description = "Time of the first line and of the rotation, ISO 8601 (default: now)" };
        var generate = new Command("generate", "Append structured log lines (service, level, five-word message, timestamp) to a node's current.log") { dir, lines, rotate, seed, at };
        generate.SetAction(parse =>
        {
            var count = parse.GetValue(lines);
            if (count is < 0 or > 100_000_000) throw CliError.BadArguments($"--lines must be between 0 and 100,000,000, not {count}.");
            var start = parse.GetValue(at) is { } text
                ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed
                    : throw CliError.BadArguments($"--at '{text}' is not a time (e.g. 2026-05-06T10:00:00Z).")
                : DateTimeOffset.UtcNow;
            var generator = new LogGenerator(Path.GetFullPath(parse.GetValue(dir)!), parse.GetValue(seed) is { } s ? new Random(s) : new Random());
            generator.Append(count, start);
            Console.WriteLine($"{count} line(s) appended to {generator.CurrentLog}");
            if (parse.GetValue(rotate)) Console.WriteLine($"rotated to {generator.Rotate(start)}");
            return 0;
        });
        return new Command("logs", "The log pipeline sample's data: generate a node's logs (see samples/logs/README.md)") { generate };
    }
}
