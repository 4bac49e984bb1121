using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The log pipeline sample as its README runs it: nodes are worker processes of the sample's program (its C# step), with
/// their own labels and data directory (<c>--allow-local logs=&lt;dir&gt;</c>), their logs made by
/// <c>log-pipeline logs generate</c>, published by graph <c>security-logs</c> under the engine's generic orchestrator.
/// One run reaches every node: the step runs on each live worker with a <c>node</c> label.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed partial class Log_pipeline : DistributedStack
{
    private const string Stamp = "202605061000";

    private OrchCli Logs => Cli(Faults, OrchCli.Sample("logs/LogPipeline", "log-pipeline"));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartHost("orchestrator");
    }

    [GeneratedRegex(@"process (run-[0-9a-f]+)")]
    private static partial Regex ProcessIdIn();

    private string[] NodeWorker(string node) =>
        ["worker", "--name", node, "--slots", "1", "--scratch", Dir[$"scratch-{node}"], "--grace-seconds", "1",
         "--label", "region=EU", "--label", "zone=eu-west-1a", "--label", $"node={node}", "--allow-local", $"logs={Dir[node]}"];

    private async Task<OrchCli.Result> Generate(string node, params string[] options)
    {
        var run = await Logs.RunAsync(["logs", "generate", "--dir", Dir[node], .. options]);
        run.ExitCode.Should().Be(0, run.ToString());
        return run;
    }

    private async Task<byte[]> GunzippedBlob(string name)
    {
        var blob = new BlobContainerClient(Services.Blobs, Name).GetBlobClient(name);
        await using var zip = new GZipStream(await blob.OpenReadAsync(), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        await zip.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    private async Task<bool> BlobExists(string name) => await new BlobContainerClient(Services.Blobs, Name).GetBlobClient(name).ExistsAsync();

    /// <summary>What a user checks of a published node: SECURITY lines as DuckDB filters them, the raw log whole, the raw file gone.</summary>
    private async Task PublishedAsync(string node, byte[] raw)
    {
        File.WriteAllBytes(Dir[$"{node}-original.log"], raw);
        File.WriteAllBytes(Dir[$"{node}-security.json"], await GunzippedBlob($"logs/EU-eu-west-1a-{node}-SECURITY-{Stamp}.json.gz"));
        DuckDb.Rows($"SELECT * FROM read_json_auto('{Dir[$"{node}-security.json"]}')").Should()
            .Equal(DuckDb.Rows($"SELECT * FROM read_json_auto('{Dir[$"{node}-original.log"]}', format = 'newline_delimited') WHERE level = 'SECURITY'"))
            .And.NotBeEmpty();
        (await GunzippedBlob($"logs/EU-eu-west-1a-{node}-RAW-{Stamp}.json.gz")).Should().Equal(raw, "the archive is the raw log, byte for byte");
        File.Exists(Dir[$"{node}/raw-logs/{Stamp}.log"]).Should().BeFalse("both uploads were confirmed");
        File.Exists(Dir[$"{node}/current.log"]).Should().BeTrue("the log being written stays");
    }

    [Fact]
    public async Task Each_node_publishes_its_security_lines_and_raw_archive_and_a_node_without_a_rotated_log_ends_with_a_warning()
    {
        await Generate("n1", "--lines", "500", "--seed", "7", "--at", "2026-05-06T10:00:00Z", "--rotate");
        await Generate("n1", "--lines", "10");
        var raw = File.ReadAllBytes(Dir[$"n1/raw-logs/{Stamp}.log"]);
        await Generate("n2", "--lines", "10");

        StartHost(Logs, NodeWorker("n1"));
        StartHost(Logs, NodeWorker("n2"));
        await Eventually.True(async () => (await Orch.RunAsync("workers")).Output.Contains("n2"), TimeSpan.FromMinutes(1), "both nodes announced");

        var run = await Logs.RunAsync("run", "security-logs");

        run.ExitCode.Should().Be(0, run.ToString());
        await PublishedAsync("n1", raw);
        run.Output.Should().Contain($"logs/EU-eu-west-1a-n1-SECURITY-{Stamp}.json.gz").And.Contain($"logs/EU-eu-west-1a-n1-RAW-{Stamp}.json.gz");
        var process = ProcessIdIn().Match(run.Output).Groups[1].Value;
        var describe = await Orch.RunAsync("describe", process);
        // The outputs column wraps long names over several lines of the table.
        Regex.Replace(describe.Output, @"[\s│]", "").Should().Contain($"logs/EU-eu-west-1a-n1-SECURITY-{Stamp}.json.gz");
        describe.Output.Should().Contain("ran on: n1, n2", "the step ran on every node");
        var history = await Orch.RunAsync("history", process);
        history.Output.Should().MatchRegex(@"publish/\d attempt 1 confirmed by n1 with 2 output\(s\)");
        history.Output.Should().MatchRegex(@"publish/\d attempt 1 confirmed by n2 with 0 output\(s\), warning raw_logs_not_found at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ");
        File.Exists(Dir["n2/current.log"]).Should().BeTrue();
    }

    [Fact]
    public async Task A_worker_killed_between_the_uploads_and_the_delete_leaves_the_raw_log_and_the_next_worker_finishes_the_job()
    {
        await Generate("n1", "--lines", "300", "--seed", "11", "--at", "2026-05-06T10:00:00Z", "--rotate");
        await Generate("n1", "--lines", "5");
        var raw = File.ReadAllBytes(Dir[$"n1/raw-logs/{Stamp}.log"]);
        var crashing = StartHost(Cli(new Dictionary<string, string> { ["LogPipeline__KillBeforeDelete"] = "true" }, OrchCli.Sample("logs/LogPipeline", "log-pipeline")), NodeWorker("n1"));

        var run = Logs.RunAsync("run", "security-logs", "--param", "drill=crash");
        await Eventually.True(() => crashing.HasExited, TimeSpan.FromMinutes(2), "the worker killing itself after the uploads");

        File.ReadAllBytes(Dir[$"n1/raw-logs/{Stamp}.log"]).Should().Equal(raw, "the worker died before it knew it could delete the raw log");
        (await BlobExists($"logs/EU-eu-west-1a-n1-SECURITY-{Stamp}.json.gz")).Should().BeTrue();
        (await BlobExists($"logs/EU-eu-west-1a-n1-RAW-{Stamp}.json.gz")).Should().BeTrue();
        StartHost(Logs, NodeWorker("n1"));
        var result = await run;

        result.ExitCode.Should().Be(0, result.ToString());
        await PublishedAsync("n1", raw);
        var history = await Orch.RunAsync("history", ProcessIdIn().Match(result.Output).Groups[1].Value);
        Regex.Matches(history.Output, @"publish/0 attempt \d+ confirmed by n1 with 2 output\(s\)").Should().ContainSingle(history.Output);
    }
}
