using FluentAssertions;
using Orchestration.Adapters.AzureBlob;
using Orchestration.Tests.DataProcessing;
using Xunit;

namespace Orchestration.Tests.Adapters.AzureBlob;

/// <summary>
/// The log pipeline's crash drill against Azure Blob storage (Azurite): the blobs of an attempt that died before deleting
/// its raw file are written again by the next attempt with the same bytes, which the write-once container accepts.
/// </summary>
public sealed class Security_logs_on_azure_blobs : IAsyncLifetime
{
    private readonly FreshContainer _container = new();
    private readonly LogNode _node = new();

    public Task InitializeAsync() => _container.ServiceAnswersAsync();

    public async Task DisposeAsync()
    {
        await _container.DeleteAsync();
        _node.Dispose();
    }

    [Fact]
    public async Task A_retry_after_a_crash_before_the_delete_publishes_the_same_blobs_again_and_then_deletes_the_raw_file()
    {
        var store = new AzureBlobStore(Services.Blobs, _container.Name);
        var raw = _node.Rotated("202605061000", 120);

        var crashed = await _node.RunAsync(store, attempt: 1, beforeDelete: _ => throw new IOException("worker died"));
        File.Exists(_node.RawLog("202605061000")).Should().BeTrue(crashed.ToString());
        var retried = await _node.RunAsync(store, attempt: 2);

        var done = retried.Completed ?? throw new Xunit.Sdk.XunitException(retried.Failed!.Error);
        done.Outputs.Select(o => o.Uri.AbsolutePath).Should().Equal(
            $"/{_container.Name}/logs/{LogNode.Prefix}-SECURITY-202605061000.json.gz", $"/{_container.Name}/logs/{LogNode.Prefix}-RAW-202605061000.json.gz");
        (await LogNode.GunzipAsync(store, done.Outputs[1])).Should().Equal(raw);
        done.Outputs[0].Rows.Should().Be(30);
        File.Exists(_node.RawLog("202605061000")).Should().BeFalse();
    }
}
