using System.Security.Cryptography;
using System.Text;
using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;
using Xunit;

namespace Orchestration.Tests.Adapters;

/// <summary>What every blob store adapter must do; a concrete class per adapter (local directory, Azure) runs these.</summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    protected IBlobStore Store { get; private set; } = null!;
    protected string Scratch { get; } = Path.Combine(Path.GetTempPath(), "orch-tests", $"blob-scratch-{Guid.NewGuid():N}");

    protected abstract Task<IBlobStore> CreateAsync();

    /// <summary>Changes the stored bytes of a blob behind the store's back, as a disk fault would.</summary>
    protected abstract Task CorruptAsync(BlobRef blob);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Scratch);
        Store = await CreateAsync();
    }

    public virtual Task DisposeAsync()
    {
        Directory.Delete(Scratch, recursive: true);
        return Task.CompletedTask;
    }

    private static string NewName(string file = "part-0.parquet") => $"tests/{Guid.NewGuid():N}/{file}";
    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_written_blob_reads_back_with_its_sha256_size_and_rows()
    {
        var name = NewName();

        var blob = await Store.PutAsync(name, Bytes("hello, blobs"), rows: 3);
        var local = Path.Combine(Scratch, "copy");
        await Store.DownloadAsync(blob, local);

        blob.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("hello, blobs"))));
        (blob.Size, blob.Rows).Should().Be((12L, 3L));
        (await File.ReadAllTextAsync(local)).Should().Be("hello, blobs");
        (await Store.ExistsAsync(name)).Should().BeTrue();
    }

    [Fact]
    public async Task Listing_a_folder_finds_its_blobs_with_their_sizes_and_nothing_outside_it()
    {
        var folder = $"tests/{Guid.NewGuid():N}/";
        var a = await Store.PutAsync(folder + "a/part-0.csv", Bytes("one"), rows: 1);
        await Store.PutAsync(folder + "b.csv", Bytes("three"), rows: 1);
        await Store.PutAsync(NewName(), Bytes("elsewhere"), rows: 1);

        var listed = await Store.ListAsync(folder).ToListAsync();

        listed.Select(b => (b.Name, b.Size)).Should().BeEquivalentTo([(folder + "a/part-0.csv", 3L), (folder + "b.csv", 5L)]);
        listed.Single(b => b.Name.EndsWith("part-0.csv")).Uri.Should().Be(a.Uri);
        Store.NameOf(a).Should().Be(folder + "a/part-0.csv");
        (await Store.ListAsync($"tests/{Guid.NewGuid():N}/").ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_deleted_blob_is_gone_its_bytes_are_counted_and_its_name_may_be_written_again()
    {
        var name = NewName();
        var blob = await Store.PutAsync(name, Bytes("to be pruned"), rows: 1);

        var freed = await Store.DeleteAsync(name);

        freed.Should().Be(12);
        (await Store.HoldsAsync(blob)).Should().BeFalse();
        (await Store.DeleteAsync(name)).Should().Be(0, "deleting what is not there frees nothing");
        (await Store.PutAsync(name, Bytes("new content"), rows: 1)).Size.Should().Be(11);
    }

    [Fact]
    public async Task Writing_the_same_bytes_again_is_idempotent()
    {
        var name = NewName();
        var first = await Store.PutAsync(name, Bytes("same"), rows: 1);

        var second = await Store.PutAsync(name, Bytes("same"), rows: 1);

        second.Should().Be(first);
    }

    [Fact]
    public async Task Writing_other_bytes_under_an_existing_name_is_refused_and_the_blob_is_unchanged()
    {
        var name = NewName();
        var first = await Store.PutAsync(name, Bytes("original"), rows: 1);

        var overwrite = () => Store.PutAsync(name, Bytes("changed"), rows: 1);

        (await overwrite.Should().ThrowAsync<BlobConflictException>()).Which.Message.Should().Contain("write-once");
        var local = Path.Combine(Scratch, "after");
        await Store.DownloadAsync(first, local);
        (await File.ReadAllTextAsync(local)).Should().Be("original");
    }

    [Fact]
    public async Task A_blob_whose_bytes_do_not_match_its_sha256_is_reported_corrupt()
    {
        var blob = await Store.PutAsync(NewName(), Bytes("to be damaged"), rows: 1);
        await CorruptAsync(blob);

        var download = () => Store.DownloadAsync(blob, Path.Combine(Scratch, "bad"));

        (await download.Should().ThrowAsync<BlobCorruptException>()).Which.Message.Should().Contain("is corrupt: its SHA-256 is");
    }

    [Fact]
    public async Task A_local_file_given_with_its_sha256_is_stored_under_it_and_fetched_for_reading_with_its_bytes()
    {
        var file = Path.Combine(Scratch, "sales.csv");
        await File.WriteAllTextAsync(file, "store,amount\n1,10\n");
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file)));

        var blob = await Store.PutFileAsync(NewName("sales.csv"), file, sha, rows: -1);
        var again = await Store.PutFileAsync(Store.NameOf(blob)!, file, sha, rows: -1);
        var fetched = Path.Combine(Scratch, "fetched.csv");
        await Store.FetchForReadingAsync(blob, fetched);

        blob.Sha256.Should().Be(sha);
        blob.Size.Should().Be(new FileInfo(file).Length);
        again.Should().Be(blob, "giving the same file again is idempotent");
        (await File.ReadAllTextAsync(fetched)).Should().Be("store,amount\n1,10\n");
    }

    [Fact]
    public async Task A_blob_fetched_for_reading_is_checked_against_its_sha256()
    {
        var blob = await Store.PutAsync(NewName(), Bytes("to be damaged"), rows: 1);
        await CorruptAsync(blob);
        var fetched = Path.Combine(Scratch, "bad");

        var fetch = () => Store.FetchForReadingAsync(blob, fetched);

        (await fetch.Should().ThrowAsync<BlobCorruptException>()).Which.Message.Should().Contain("is corrupt: its SHA-256 is");
        File.Exists(fetched).Should().BeFalse("a task never sees bytes that failed the check");
    }

    [Fact]
    public async Task A_large_blob_streams_through_in_both_directions()
    {
        var data = new byte[24 * 1024 * 1024 + 7];
        new Random(7).NextBytes(data);
        var blob = await Store.PutAsync(NewName("large.bin"), new MemoryStream(data), rows: -1);

        await using var read = await Store.OpenReadAsync(blob);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);

        blob.Size.Should().Be(data.Length);
        copy.ToArray().Should().Equal(data);
    }

    [Theory]
    [InlineData("../outside.parquet")]
    [InlineData("tasks/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\..\\b")]
    [InlineData("")]
    public async Task A_name_that_would_escape_the_store_is_refused(string name)
    {
        var put = () => Store.PutAsync(name, Bytes("x"), rows: 1);

        (await put.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("is not allowed");
    }
}
