using FluentAssertions;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Workers;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

/// <summary>
/// The log pipeline's per-node step on real DuckDB and a real local blob store: SECURITY lines and the raw archive
/// published under the node's name, the raw file deleted only once both are in the store.
/// </summary>
public sealed class The_security_logs_step : IDisposable
{
    private readonly LogNode _node = new();
    private readonly LocalBlobStore _blobs;

    public The_security_logs_step() => _blobs = new LocalBlobStore(_node["blobs"]);

    public void Dispose() => _node.Dispose();

    private static TaskCompleted Completed(TaskOutcome outcome) => outcome.Completed ?? throw new Xunit.Sdk.XunitException(outcome.Failed!.Error);

    [Fact]
    public async Task Publishes_the_security_lines_and_the_raw_archive_then_deletes_the_raw_file()
    {
        var raw = _node.Rotated("202605061000", 400);
        File.WriteAllText(_node["node/current.log"], "{\"level\":\"SECURITY\"}\n");
        File.WriteAllText(_node["node/raw-logs/notes.log"], "not a rotated log\n");

        var done = Completed(await _node.RunAsync(_blobs));

        done.Outputs.Select(o => o.Uri.ToString()).Should().Equal(
            $"blob://local/logs/{LogNode.Prefix}-SECURITY-202605061000.json.gz", $"blob://local/logs/{LogNode.Prefix}-RAW-202605061000.json.gz");
        File.WriteAllBytes(_node["security.json"], await LogNode.GunzipAsync(_blobs, done.Outputs[0]));
        File.WriteAllBytes(_node["original.log"], raw);
        DuckDb.Rows($"SELECT * FROM read_json_auto('{_node["security.json"]}')").Should()
            .Equal(DuckDb.Rows($"SELECT * FROM read_json_auto('{_node["original.log"]}', format = 'newline_delimited') WHERE level = 'SECURITY'")).And.HaveCount(100);
        (await LogNode.GunzipAsync(_blobs, done.Outputs[1])).Should().Equal(raw, "the archive is the raw file, byte for byte");
        done.Outputs.Select(o => o.Rows).Should().Equal(100, 400);
        done.Metadata.Should().Contain(new Dictionary<string, string> { ["files"] = "1", ["security_rows"] = "100", ["raw_rows"] = "400" });
        File.Exists(_node.RawLog("202605061000")).Should().BeFalse("both uploads were confirmed");
        File.Exists(_node["node/current.log"]).Should().BeTrue("the log being written is not rotated yet");
        File.Exists(_node["node/raw-logs/notes.log"]).Should().BeTrue("only rotated logs are published");
    }

    [Fact]
    public async Task Without_a_rotated_log_the_task_succeeds_with_the_raw_logs_not_found_warning_and_the_time()
    {
        var done = Completed(await _node.RunAsync(_blobs));

        done.Outputs.Should().BeEmpty();
        done.Metadata.Should().Contain(new Dictionary<string, string> { ["warning"] = "raw_logs_not_found at 2026-05-06T11:00:07Z", ["at"] = "2026-05-06T11:00:07Z" });
    }

    [Fact]
    public async Task A_crash_between_the_uploads_and_the_delete_keeps_the_raw_file_and_the_next_attempt_finishes_the_job()
    {
        var raw = _node.Rotated("202605061000", 40);
        _node.Rotated("202605061100", 8);

        var crashed = await _node.RunAsync(_blobs, attempt: 1, beforeDelete: _ => throw new IOException("worker died"));

        crashed.Failed.Should().NotBeNull();
        crashed.Failed!.Retryable.Should().BeTrue();
        File.ReadAllBytes(_node.RawLog("202605061000")).Should().Equal(raw, "its uploads were not known to be safe when the worker died");
        (await _blobs.ExistsAsync($"logs/{LogNode.Prefix}-RAW-202605061000.json.gz")).Should().BeTrue();

        var retried = Completed(await _node.RunAsync(_blobs, attempt: 2));

        retried.Outputs.Should().HaveCount(4, "the same blobs again (accepted: same bytes), then the second file's");
        (await LogNode.GunzipAsync(_blobs, retried.Outputs[1])).Should().Equal(raw);
        Directory.GetFiles(_node["node/raw-logs"]).Should().BeEmpty();
    }

    [Fact]
    public async Task A_worker_without_its_region_zone_and_node_labels_fails_the_task_for_good_naming_them()
    {
        _node.Rotated("202605061000", 4);

        var outcome = await _node.RunAsync(_blobs, labels: new Dictionary<string, string> { ["region"] = "EU" });

        outcome.Failed!.Retryable.Should().BeFalse();
        outcome.Failed.Error.Should().StartWith("The worker has no label 'zone', 'node'");
        File.Exists(_node.RawLog("202605061000")).Should().BeTrue();
    }

    [Fact]
    public async Task Blob_content_is_the_same_on_every_run_so_a_write_once_store_takes_it_again()
    {
        var raw = _node.Rotated("202605061000", 40);
        var first = Completed(await _node.RunAsync(_blobs));
        File.WriteAllBytes(_node.RawLog("202605061000"), raw);

        var again = Completed(await _node.RunAsync(_blobs, attempt: 2));

        again.Outputs.Should().Equal(first.Outputs);
    }
}
