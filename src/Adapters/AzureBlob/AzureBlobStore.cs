using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Blobs;

namespace Orchestration.Adapters.AzureBlob;

/// <summary>
/// The distributed blob store: one container of an Azure Storage account (Azurite locally). Blobs are written once
/// with a conditional create (If-None-Match: *), carry their SHA-256 and row count as metadata, and are checked
/// against their SHA-256 when read.
/// </summary>
/// <remarks>
/// References look like <c>blob://azure/{container}/{name}</c>: they name the blob within the account this store is
/// configured with and carry no account URL or key, so messages and events hold no secret and survive moving
/// the account. Two stores on different accounts with the same container name therefore read each other's
/// references as their own; a deployment uses one account.
/// </remarks>
public sealed partial class AzureBlobStore : IBlobStore
{
    private const string Host = "azure";
    private readonly BlobContainerClient _container;
    private Task? _containerReady;

    /// <summary>A store on <paramref name="containerName"/> of the account in <paramref name="connectionString"/>
    /// (<c>UseDevelopmentStorage=true</c> for Azurite). The container is created on the first write if missing.</summary>
    public AzureBlobStore(string connectionString, string containerName)
        : this(new BlobContainerClient(connectionString, ValidContainerName(containerName))) { }

    /// <summary>A store on a container client built elsewhere, e.g. with a managed identity instead of a key.</summary>
    public AzureBlobStore(BlobContainerClient container)
    {
        _container = container;
        ValidContainerName(container.Name);
    }

    public string ContainerName => _container.Name;

    public async Task<BlobRef> PutAsync(string name, Stream content, long rows, CancellationToken cancellationToken = default)
    {
        BlobNames.Validate(name);
        await ContainerReadyAsync(cancellationToken);
        var blob = _container.GetBlockBlobClient(name);
        var upload = await WriteOnceUpload.UploadAsync(blob, content, rows, cancellationToken);
        return upload.RefusedBecauseTheNameExists is { } refusal
            ? await ExistingWithTheSameBytesAsync(name, blob, upload.Sha256, refusal, cancellationToken)
            : new BlobRef(UriOf(name), upload.Sha256, upload.Size, rows);
    }

    /// <summary>The name was taken: a re-run that wrote the same bytes gets the existing blob, anything else is refused.</summary>
    private async Task<BlobRef> ExistingWithTheSameBytesAsync(
        string name, BlockBlobClient blob, string sha256, RequestFailedException refusal, CancellationToken cancellationToken)
    {
        Azure.Storage.Blobs.Models.BlobProperties existing;
        try
        {
            existing = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The refusal was not about an existing blob after all.
            ExceptionDispatchInfo.Throw(refusal);
            throw;
        }
        if (StoredBlobMetadata.Sha256Of(existing.Metadata) != sha256) throw new BlobConflictException(name);
        return new BlobRef(UriOf(name), sha256, existing.ContentLength, StoredBlobMetadata.RowsOf(existing.Metadata));
    }

    public async Task DownloadAsync(BlobRef blob, string localPath, CancellationToken cancellationToken = default)
    {
        await using var source = await OpenReadAsync(blob, cancellationToken);
        await using var target = new FileStream(localPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await source.CopyToAsync(target, cancellationToken); // reads to the end, where the hash is checked
    }

    public async Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken = default)
    {
        var name = NameOf(blob);
        try
        {
            // One streamed GET; the SDK resumes it with a range request (pinned to the ETag) if the connection drops.
            var download = await _container.GetBlobClient(name).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return new HashingStream(download.Value.Content, blob.Sha256, name);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BlobCorruptException(
                $"Blob '{name}' is missing from Azure container '{_container.Name}'. Was it deleted (by hand or a lifecycle rule) while a process ran?");
        }
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        await _container.GetBlobClient(BlobNames.Validate(name)).ExistsAsync(cancellationToken);

    public async Task<bool> HoldsAsync(BlobRef blob, CancellationToken cancellationToken = default) =>
        blob.Uri.Scheme == "blob" && blob.Uri.Host == Host && blob.Uri.AbsolutePath.StartsWith($"/{_container.Name}/", StringComparison.Ordinal)
        && await _container.GetBlobClient(NameOf(blob)).ExistsAsync(cancellationToken);

    string? IBlobStore.NameOf(BlobRef blob) =>
        blob.Uri.Scheme == "blob" && blob.Uri.Host == Host && blob.Uri.AbsolutePath.StartsWith($"/{_container.Name}/", StringComparison.Ordinal) ? NameOf(blob) : null;

    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!await _container.ExistsAsync(cancellationToken)) yield break;
        await foreach (var item in _container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
            yield return new StoredBlob(item.Name, UriOf(item.Name), item.Properties.ContentLength ?? 0);
    }

    public async Task<long> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobNames.Validate(name));
        try
        {
            var size = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
            return (await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value ? size : 0;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }

    /// <summary>Creates the container once per store; a failed try (the service still starting) is tried again.</summary>
    private Task ContainerReadyAsync(CancellationToken cancellationToken)
    {
        var ready = _containerReady;
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
            // Racing callers may both ask: creating an existing container is a no-op for CreateIfNotExists.
            _containerReady = ready = _container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        return ready.WaitAsync(cancellationToken);
    }

    private Uri UriOf(string name) => new($"blob://{Host}/{_container.Name}/{name}");

    private string NameOf(BlobRef blob)
    {
        var prefix = $"/{_container.Name}/";
        if (blob.Uri.Scheme != "blob" || blob.Uri.Host != Host || !blob.Uri.AbsolutePath.StartsWith(prefix, StringComparison.Ordinal))
            throw new ArgumentException(
                $"Blob {blob.Uri} does not belong to this Azure blob store (blob://{Host}/{_container.Name}/...).", nameof(blob));
        return BlobNames.Validate(Uri.UnescapeDataString(blob.Uri.AbsolutePath[prefix.Length..]));
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex AzureContainerName();

    private static string ValidContainerName(string containerName) => AzureContainerName().IsMatch(containerName)
        ? containerName
        : throw new ArgumentException(
            $"Container name '{containerName}' is not allowed: Azure wants 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.",
            nameof(containerName));
}
