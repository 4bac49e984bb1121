using Azure.Storage.Blobs;

namespace Orchestration.Tests.Adapters.AzureBlob;

/// <summary>A container of its own per test class instance, on Azurite (or the account in ORCH_BLOBS), deleted afterwards.</summary>
internal sealed class FreshContainer
{
    // Asked once per test run: without it every test would spend the SDK's retries (about 25 s) before failing.
    private static readonly Lazy<Task> ServiceAnswers = new(AskTheServiceAsync);

    public string Name { get; } = $"orch-test-{Guid.NewGuid():N}";

    /// <summary>A plain client, for reaching behind the store's back.</summary>
    public BlobContainerClient Client => new(Services.Blobs, Name);

    /// <summary>Fails (never skips) at once when the blob service is down.</summary>
    public Task ServiceAnswersAsync() => ServiceAnswers.Value;

    public async Task DeleteAsync()
    {
        if (ServiceAnswers.IsValueCreated && ServiceAnswers.Value.IsCompletedSuccessfully) await Client.DeleteIfExistsAsync();
    }

    private static async Task AskTheServiceAsync()
    {
        var once = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(10) } };
        try
        {
            await new BlobServiceClient(Services.Blobs, once).GetPropertiesAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"The blob service (ORCH_BLOBS, by default Azurite on 127.0.0.1:10000) does not answer: {e.Message}. Start it with scripts/services.sh up.", e);
        }
    }
}
