using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FluentAssertions;
using Orchestration.Adapters.AzureBlob;
using Xunit;
using Xunit.Abstractions;

namespace Orchestration.Tests.Adapters.AzureBlob;

/// <summary>Runs alone, so the allocation count it takes is its own and not a neighbour's.</summary>
[CollectionDefinition(nameof(MeasuresMemory), DisableParallelization = true)]
public sealed class MeasuresMemory;

[Collection(nameof(MeasuresMemory))]
public sealed class A_large_azure_upload_streams(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Size = 64L * 1024 * 1024 + 13;
    private const long MiB = 1024 * 1024;
    private readonly FreshContainer _container = new();

    public Task InitializeAsync() => _container.ServiceAnswersAsync();

    public Task DisposeAsync() => _container.DeleteAsync();

    [Fact]
    public async Task A_64_MiB_upload_from_a_non_seekable_stream_keeps_only_a_few_blocks_in_memory()
    {
        var store = new AzureBlobStore(Services.Blobs, _container.Name);
        var name = $"tests/{Guid.NewGuid():N}/large.bin";
        var staged = _container.Client.GetBlockBlobClient(name);
        var worstLag = 0L;
        var nextProbe = 16 * MiB;
        // Every 8 MiB read from the source, ask the service how much already arrived: what the uploader holds is the difference.
        var source = new GeneratedStream(Size, seed: 64, afterRead: async produced =>
        {
            if (produced < nextProbe) return;
            nextProbe += 8 * MiB;
            var blocks = (await staged.GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks;
            worstLag = Math.Max(worstLag, produced - blocks.Sum(b => b.SizeLong));
        });
        await store.PutAsync($"tests/{Guid.NewGuid():N}/warm-up.bin", new MemoryStream([0]), rows: 1); // creates the container before measuring
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var blob = await store.PutAsync(name, source, rows: -1);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"most bytes read but not yet at the service: {worstLag:N0}; allocated during the put: {allocated:N0}");
        (blob.Size, blob.Sha256).Should().Be((Size, source.Sha256));
        worstLag.Should().BeGreaterThan(0, "the probe ran").And.BeLessThanOrEqualTo(16 * MiB, "blocks leave while the source is still being read");
        allocated.Should().BeLessThan(Size / 2, "the blob is not buffered whole (allocated {0:N0} bytes)", allocated);
    }
}
