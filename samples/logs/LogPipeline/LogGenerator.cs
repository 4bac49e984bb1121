using Orchestration.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace LogPipeline;

/// <summary>
/// The log pipeline sample's data: structured JSON lines a node appends to <c>current.log</c>, rotated into
/// <c>raw-logs/&lt;yyyymmddhhmm&gt;.log</c>, where the <c>security-logs</c> step picks them up. A seed makes the lines
/// (and so the counts per level) the same on every run.
/// </summary>
public sealed class LogGenerator(string nodeDirectory, Random random)
{
    public static readonly string[] Services = ["Auth", "AppStack", "Database"];
    public static readonly string[] Levels = ["INFO", "WARN", "CRITICAL", "SECURITY"];

    private static readonly string[] Words =
    [
        "token", "session", "login", "denied", "granted", "user", "admin", "query", "index", "timeout", "retry", "cache",
        "disk", "latency", "request", "response", "certificate", "expired", "firewall", "port", "scan", "password",
        "rotation", "replica", "failover", "lock", "commit", "rollback", "quota", "throttle",
    ];

    public string CurrentLog => Path.Combine(nodeDirectory, "current.log");

    /// <summary>Appends <paramref name="lines"/> lines, one second apart from <paramref name="start"/>.</summary>
    public void Append(int lines, DateTimeOffset start)
    {
        Directory.CreateDirectory(nodeDirectory);
        using var writer = new StreamWriter(CurrentLog, append: true);
        for (var i = 0; i < lines; i++)
        {
            var line = new LogLine(start.AddSeconds(i).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Pick(Services), Pick(Levels), string.Join(' ', Enumerable.Range(0, 5).Select(_ => Pick(Words))));
            writer.Write(JsonSerializer.Serialize(line, LogLine.Json));
            writer.Write('\n');
        }
    }

    /// <summary>Moves <c>current.log</c> to <c>raw-logs/&lt;yyyymmddhhmm&gt;.log</c> and returns that path; never overwrites a rotated log.</summary>
    public string Rotate(DateTimeOffset at)
    {
        if (!File.Exists(CurrentLog)) throw new CliError($"There is no {CurrentLog} to rotate; generate some lines first.");
        var rotated = Path.Combine(nodeDirectory, "raw-logs", $"{at.UtcDateTime:yyyyMMddHHmm}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(rotated)!);
        if (File.Exists(rotated)) throw new CliError($"{rotated} exists already (one rotation a minute); rotate again later or pass another --at.");
        File.Move(CurrentLog, rotated);
        return rotated;
    }

    private string Pick(string[] choices) => choices[random.Next(choices.Length)];

    private sealed record LogLine(string Ts, string Service, string Level, string Message)
    {
        public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    }
}
