using System.Text;
using FluentAssertions;
using Orchestration.Adapters.AzureBlob;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Xunit;

namespace Orchestration.Tests.Adapters.AzureBlob;

/// <summary>What the Azure adapter promises beyond the shared contract: races, metadata, references.</summary>
public sealed class Writing_azure_blobs : IAsyncLifetime
{
    private const int SeveralBlocks = 10 * 1024 * 1024 + 7;
    private readonly FreshContainer _container = new();
    private AzureBlobStore _store = null!;

    public async Task InitializeAsync()
    {
        await _container.ServiceAnswersAsync();
        _store = new AzureBlobStore(Services.Blobs, _container.Name);
    }

    public Task DisposeAsync() => _container.DeleteAsync();

    private static string NewName() => $"tests/{Guid.NewGuid():N}/part-0.bin";

    [Fact]
    public async Task Two_writers_racing_with_other_bytes_on_one_name_leave_one_winner_and_one_conflict()
    {
        for (var round = 0; round < 3; round++)
        {
            var name = NewName();
            var sources = new[] { new GeneratedStream(SeveralBlocks, seed: 1), new GeneratedStream(SeveralBlocks, seed: 2) };

            var puts = sources.Select(source => Outcome(() => _store.PutAsync(name, source, rows: 1))).ToList();
            var outcomes = await Task.WhenAll(puts);

            outcomes.Count(o => o.Blob is not null).Should().Be(1, "a name is written once");
            outcomes.Single(o => o.Blob is null).Error.Should().BeOfType<BlobConflictException>();
            var winner = Array.FindIndex(outcomes, o => o.Blob is not null);
            outcomes[winner].Blob!.Sha256.Should().Be(sources[winner].Sha256);
            await ReadToTheEndAsync(outcomes[winner].Blob!); // the committed bytes are the winner's, not a mix
        }
    }

    [Fact]
    public async Task Two_writers_racing_with_the_same_bytes_both_get_the_same_reference()
    {
        var name = NewName();

        var both = await Task.WhenAll(
            _store.PutAsync(name, new GeneratedStream(SeveralBlocks, seed: 3), rows: 5),
            _store.PutAsync(name, new GeneratedStream(SeveralBlocks, seed: 3), rows: 5));

        both[1].Should().Be(both[0]);
        await ReadToTheEndAsync(both[0]);
    }

    [Fact]
    public async Task A_blob_keeps_its_sha256_and_row_count_in_its_metadata()
    {
        var name = NewName();

        var blob = await _store.PutAsync(name, new MemoryStream(Encoding.UTF8.GetBytes("a,b\n1,2\n")), rows: 1);

        var metadata = (await _container.Client.GetBlobClient(name).GetPropertiesAsync()).Value.Metadata;
        metadata.Should().Contain("sha256", blob.Sha256).And.Contain("rows", "1");
    }

    [Fact]
    public async Task A_reference_names_the_container_and_the_blob_but_not_the_account()
    {
        var name = NewName();

        var blob = await _store.PutAsync(name, new MemoryStream([1, 2, 3]), rows: -1);

        blob.Uri.ToString().Should().Be($"blob://azure/{_container.Name}/{name}");
    }

    [Theory]
    [InlineData("blob://local/tests/part-0.parquet")]
    [InlineData("blob://azure/some-other-container/tests/part-0.parquet")]
    [InlineData("https://devstoreaccount1.blob.core.windows.net/container/part-0.parquet")]
    public async Task A_reference_from_another_store_is_refused(string uri)
    {
        var foreign = new BlobRef(new Uri(uri), new string('0', 64), 1, 1);

        var read = () => _store.OpenReadAsync(foreign);

        (await read.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("does not belong to this Azure blob store");
    }

    [Fact]
    public async Task A_blob_missing_from_the_container_is_reported_missing()
    {
        var name = NewName();
        await _store.PutAsync(NewName(), new MemoryStream([1]), rows: 1); // the container exists; the blob does not
        var never = new BlobRef(new Uri($"blob://azure/{_container.Name}/{name}"), new string('0', 64), 1, 1);

        var read = () => _store.OpenReadAsync(never);

        (await read.Should().ThrowAsync<BlobCorruptException>()).Which.Message.Should().Contain($"Blob '{name}' is missing from Azure container");
        (await _store.ExistsAsync(name)).Should().BeFalse();
    }

    [Fact]
    public async Task Stores_starting_together_on_a_new_container_all_create_it_without_failing()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => new AzureBlobStore(Services.Blobs, _container.Name)).ToList();

        var blobs = await Task.WhenAll(stores.Select(store => store.PutAsync(NewName(), new MemoryStream([7]), rows: 1)));

        blobs.Should().HaveCount(4);
    }

    [Fact]
    public void A_container_name_azure_would_refuse_is_refused_up_front()
    {
        var create = () => new AzureBlobStore(Services.Blobs, "Not_Valid");

        create.Should().Throw<ArgumentException>().Which.Message.Should().Contain("Container name 'Not_Valid' is not allowed");
    }

    private async Task ReadToTheEndAsync(BlobRef blob)
    {
        await using var read = await _store.OpenReadAsync(blob);
        await read.CopyToAsync(Stream.Null); // the SHA-256 is checked at the end
    }

    private static async Task<(BlobRef? Blob, Exception? Error)> Outcome(Func<Task<BlobRef>> put)
    {
        try { return (await put(), null); }
        catch (Exception e) { return (null, e); }
    }
}
