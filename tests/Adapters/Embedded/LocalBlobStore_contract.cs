using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;

namespace Orchestration.Tests.Adapters.Embedded;

public sealed class LocalBlobStore_contract : BlobStoreContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orch-tests", $"blobs-{Guid.NewGuid():N}");

    protected override Task<IBlobStore> CreateAsync() => Task.FromResult<IBlobStore>(new LocalBlobStore(_root));

    protected override Task CorruptAsync(BlobRef blob) =>
        File.WriteAllTextAsync(Path.Combine(_root, blob.Uri.AbsolutePath.TrimStart('/')), "damaged bytes");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
