using Azure.Storage.Blobs.Models;
using Orchestration.Adapters.AzureBlob;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;

namespace Orchestration.Tests.Adapters.AzureBlob;

public sealed class AzureBlobStore_contract : BlobStoreContract
{
    private readonly FreshContainer _container = new();

    protected override async Task<IBlobStore> CreateAsync()
    {
        await _container.ServiceAnswersAsync();
        return new AzureBlobStore(Services.Blobs, _container.Name);
    }

    /// <summary>Overwrites the bytes with a plain client and keeps the metadata, so only the SHA-256 check can notice.</summary>
    protected override async Task CorruptAsync(BlobRef blob)
    {
        var name = blob.Uri.AbsolutePath[$"/{_container.Name}/".Length..];
        var plain = _container.Client.GetBlobClient(name);
        var properties = (await plain.GetPropertiesAsync()).Value;
        await plain.UploadAsync(BinaryData.FromString("damaged bytes"), new BlobUploadOptions { Metadata = properties.Metadata });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _container.DeleteAsync();
    }
}
