using System.Security.Cryptography;
using FluentAssertions;
using Orchestration.DataProcessing.Blobs;
using Xunit;

namespace Orchestration.Tests.Adapters.Embedded;

/// <summary>
/// The embedded store takes a user's input file and hands blobs to tasks without copying bytes (hard links), and still
/// never lets a task read bytes other than those its reference names.
/// </summary>
public sealed class LocalBlobStore_links : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orch-link-tests-").FullName;
    private readonly LocalBlobStore _store;

    public LocalBlobStore_links() => _store = new LocalBlobStore(Path.Combine(_root, "blobs"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_given_file_and_a_task_s_input_share_the_file_s_bytes_instead_of_copying_them()
    {
        var file = await WriteAsync(Path.Combine(_root, "part-0.csv"), "id\n1\n2\n");
        var blob = await _store.PutFileAsync("inputs/abc/part-0.csv", file, Sha256Of(file), rows: -1);
        var input = Path.Combine(_root, "scratch-input.csv");

        await _store.FetchForReadingAsync(blob, input);

        Inodes.Of(Path.Combine(_root, "blobs", "inputs", "abc", "part-0.csv")).Should().Be(Inodes.Of(file));
        Inodes.Of(input).Should().Be(Inodes.Of(file));
    }

    [Fact]
    public async Task Deleting_a_given_file_s_blob_leaves_the_file_and_counts_no_bytes_freed()
    {
        var file = await WriteAsync(Path.Combine(_root, "part-0.csv"), "id\n1\n2\n");
        await _store.PutFileAsync("inputs/abc/part-0.csv", file, Sha256Of(file), rows: -1);

        var freed = await _store.DeleteAsync("inputs/abc/part-0.csv");

        freed.Should().Be(0, "the bytes stay on disk under the user's own name");
        (await File.ReadAllTextAsync(file)).Should().Be("id\n1\n2\n");
        (await _store.ExistsAsync("inputs/abc/part-0.csv")).Should().BeFalse();
    }

    [Fact]
    public async Task A_given_file_changed_in_place_afterwards_fails_the_read_with_what_to_do()
    {
        var file = await WriteAsync(Path.Combine(_root, "part-0.csv"), "id\n1\n2\n");
        var blob = await _store.PutFileAsync("inputs/abc/part-0.csv", file, Sha256Of(file), rows: -1);
        await File.WriteAllTextAsync(file, "id\n1\n3\n"); // the same inode, truncated and rewritten, as cp onto it would

        var fetch = () => _store.FetchForReadingAsync(blob, Path.Combine(_root, "scratch-input.csv"));

        (await fetch.Should().ThrowAsync<BlobCorruptException>()).Which.Message.Should().Contain("give the file again");
    }

    [Fact]
    public async Task A_file_on_another_file_system_is_copied_so_changing_it_later_leaves_the_blob_intact()
    {
        // /dev/shm is a tmpfs: a hard link from it to the store's disk fails with EXDEV.
        Directory.Exists("/dev/shm").Should().BeTrue("this test needs a second file system at /dev/shm");
        var file = await WriteAsync(Path.Combine("/dev/shm", $"orch-link-test-{Guid.NewGuid():N}.csv"), "id\n1\n");
        try
        {
            var blob = await _store.PutFileAsync("inputs/def/part-0.csv", file, Sha256Of(file), rows: -1);
            await File.WriteAllTextAsync(file, "id\n9\n");
            var input = Path.Combine(_root, "scratch-input.csv");

            await _store.FetchForReadingAsync(blob, input);

            (await File.ReadAllTextAsync(input)).Should().Be("id\n1\n");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_linked_file_given_with_a_wrong_sha256_is_caught_when_read()
    {
        var file = await WriteAsync(Path.Combine(_root, "part-0.csv"), "id\n1\n");
        var wrong = new string('0', 64);

        var blob = await _store.PutFileAsync("inputs/ghi/part-0.csv", file, wrong, rows: -1);
        var fetch = () => _store.FetchForReadingAsync(blob, Path.Combine(_root, "scratch-input.csv"));

        (await fetch.Should().ThrowAsync<BlobCorruptException>()).Which.Message.Should().Contain($"its reference says {wrong}");
    }

    private static async Task<string> WriteAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static string Sha256Of(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
