using FluentAssertions;
using Orchestration.DataProcessing.Workers;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Workers;

/// <summary>A worker's compacted groups are a bounded cache: past its capacity the least recently used go, and a missing entry is a miss.</summary>
public sealed class The_store_of_compacted_inputs : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string File(string name, int bytes)
    {
        var file = _dir[name];
        System.IO.File.WriteAllBytes(file, new byte[bytes]);
        return file;
    }

    [Fact]
    public void Keeps_at_most_its_capacity_dropping_the_least_recently_used_first()
    {
        var store = new CompactedPartials(_dir["store"], capacityBytes: 4_000);
        store.Keep("a", File("a", 1_000));
        store.Keep("b", File("b", 1_000));
        store.Keep("c", File("c", 1_000));
        System.IO.File.SetLastWriteTimeUtc(Path.Join(store.Directory, "b.parquet"), DateTime.UtcNow.AddMinutes(-10));
        System.IO.File.SetLastWriteTimeUtc(Path.Join(store.Directory, "c.parquet"), DateTime.UtcNow.AddMinutes(-5));
        store.TryLink("a", _dir["a-used"]).Should().BeTrue(); // used last

        store.Keep("d", File("d", 1_500));

        Directory.GetFiles(store.Directory).Select(Path.GetFileName).Should().BeEquivalentTo("a.parquet", "d.parquet");
        store.TryLink("b", _dir["b-again"]).Should().BeFalse();
        System.IO.File.Exists(_dir["b-again"]).Should().BeFalse();
    }

    [Fact]
    public void An_entry_links_the_bytes_it_was_kept_with()
    {
        var store = new CompactedPartials(_dir["store"]);
        System.IO.File.WriteAllText(_dir["group"], "compacted rows");
        store.Keep("k", _dir["group"]);

        store.TryLink("k", _dir["linked"]).Should().BeTrue();

        System.IO.File.ReadAllText(_dir["linked"]).Should().Be("compacted rows");
        store.TryLink("other", _dir["none"]).Should().BeFalse();
    }
}
