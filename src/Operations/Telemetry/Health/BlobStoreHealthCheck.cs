using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestration.Operations.Telemetry.Health;

/// <summary>The blob store answers: the configured container is asked whether it exists, once, without the SDK's retries.</summary>
public sealed class BlobStoreHealthCheck(string connectionString, string container) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var where = $"container '{container}'";
        try
        {
            // The SDK's retries would take about 25 s to say what one attempt says.
            var once = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } };
            var client = new BlobContainerClient(connectionString, container, once);
            where = $"{client.Uri.GetLeftPart(UriPartial.Authority)}, {where}";
            var exists = await client.ExistsAsync(cancellationToken);
            return HealthCheckResult.Healthy(exists.Value
                ? $"Blob storage at {where} answers"
                : $"Blob storage at {where} answers; the container is not created yet (created on the first write)");
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException or FormatException or ArgumentException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Azure Blob storage at {where} unreachable: {FirstLine(error.Message)}", error);
        }
    }

    // The SDK's messages run to a dozen lines of headers after the reason.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
