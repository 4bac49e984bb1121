using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.LocalData;
using LogPipeline;
using Orchestration.DataProcessing.Workers;
using Orchestration.Tests.EndToEnd;

namespace Orchestration.Tests.DataProcessing;

/// <summary>
/// A log node for the <c>security-logs</c> step: a directory allowed as local root <c>logs</c>, its rotated raw logs,
/// and a worker labelled region=EU, zone=eu-west-1a, node=n1 running the step over a given blob store.
/// </summary>
internal sealed class LogNode : IDisposable
{
    public const string Prefix = "EU-eu-west-1a-n1";
    public static readonly DateTimeOffset Now = new(2026, 5, 6, 11, 0, 7, TimeSpan.Zero);
    private static readonly ProcessId Process = ProcessId.From("p-logs");
    private readonly TempDirectory _dir = new();
    private readonly SandboxPool _sandboxes;

    public LogNode()
    {
        Directory.CreateDirectory(_dir["node/raw-logs"]);
        _sandboxes = new SandboxPool(_dir["scratch"], 1);
    }

    public string this[string relative] => _dir[relative];

    public string RawLog(string stamp) => _dir[$"node/raw-logs/{stamp}.log"];

    /// <summary>Writes a rotated log of <paramref name="lines"/> lines, every fourth one SECURITY; returns its bytes.</summary>
    public byte[] Rotated(string stamp, int lines)
    {
        string[] levels = ["INFO", "WARN", "CRITICAL", "SECURITY"];
        string[] services = ["Auth", "AppStack", "Database"];
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
            text.Append($$"""{"ts":"2026-05-06T10:{{i / 60 % 60:00}}:{{i % 60:00}}Z","service":"{{services[i % 3]}}","level":"{{levels[i % 4]}}","message":"word{{i}} two three four five"}""").Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        File.WriteAllBytes(RawLog(stamp), bytes);
        return bytes;
    }

    public Task<TaskOutcome> RunAsync(IBlobStore blobs, int attempt = 1, Action<RotatedLog>? beforeDelete = null, IReadOnlyDictionary<string, string>? labels = null)
    {
        var runner = new TaskRunner(blobs, _sandboxes, new CodeStepRegistry().Add(new SecurityLogsStep(new FakeTimeProvider(Now), beforeDelete)), WorkerId.From("n1"),
            LocalRoots.From([KeyValuePair.Create("logs", _dir["node"])]),
            labels ?? new Dictionary<string, string> { ["region"] = "EU", ["zone"] = "eu-west-1a", ["node"] = "n1" });
        var task = new RunTask(Process, TaskId.For(Process, "publish", 0), attempt, "publish", 0, StepWork.Code(SecurityLogsStep.StepName), [],
            new Dictionary<string, string> { ["root"] = "logs" }, DateTimeOffset.MaxValue);
        return runner.RunAsync(task, CancellationToken.None);
    }

    /// <summary>A published blob's bytes, gunzipped.</summary>
    public static async Task<byte[]> GunzipAsync(IBlobStore blobs, BlobRef blob)
    {
        await using var stream = await blobs.OpenReadAsync(blob);
        await using var zip = new GZipStream(stream, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        await zip.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    public void Dispose()
    {
        _sandboxes.Dispose();
        _dir.Dispose();
    }
}
