using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// RabbitMQ's management HTTP API (port 15672 on the broker's host, same credentials as AMQP): queue depth and
/// consumers for operators and the autoscaler, the policy that expires idle worker queues, and removing the queues a
/// test or benchmark made.
/// </summary>
public sealed class RabbitMqManagement(Uri amqpAddress, int port = 15672) : IDisposable
{
    private readonly HttpClient _http = Client(amqpAddress, port);
    // The virtual host of the AMQP address (its path; "/" when it has none), as the API names it in its URLs.
    private readonly string _vhost = Uri.EscapeDataString(amqpAddress.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(amqpAddress.AbsolutePath.TrimStart('/')));

    public sealed record QueueDepth(string Queue, long Ready, long Unacknowledged, int Consumers);

    /// <summary>The API itself (base address and credentials set), for calls this class does not wrap.</summary>
    public HttpClient Api => _http;

    /// <summary>The virtual host as the API's URLs name it (escaped).</summary>
    public string VirtualHost => _vhost;

    public async Task<QueueDepth?> DepthAsync(string queue, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"queues/{_vhost}/{Uri.EscapeDataString(queue)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await Ensure(response, $"reading queue '{queue}'");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        var root = json.RootElement;
        long Read(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
        return new QueueDepth(queue, Read("messages_ready"), Read("messages_unacknowledged"), (int)Read("consumers"));
    }

    /// <summary>
    /// The work any worker may take, as one depth: the shared task queue <paramref name="taskQueue"/> and the queue of
    /// every C# step version beside it (<c>{prefix}step.*</c>), summed; consumers are the shared queue's (every worker
    /// reads it). Null when none of them exists yet. Scaling, gauges and the dashboard all read this one figure.
    /// </summary>
    public async Task<QueueDepth?> WorkDepthAsync(string taskQueue, CancellationToken cancellationToken = default)
    {
        var shared = await DepthAsync(taskQueue, cancellationToken);
        var prefix = taskQueue[..^MassTransitTaskQueue.QueueName.Length] + MassTransitTaskQueue.StepQueuePrefix;
        var steps = new List<QueueDepth>();
        foreach (var queue in await QueuesAsync(prefix, cancellationToken))
            if (!queue.EndsWith("_error", StringComparison.Ordinal) && await DepthAsync(queue, cancellationToken) is { } depth) steps.Add(depth);
        if (shared is null && steps.Count == 0) return null;
        return new QueueDepth(taskQueue, (shared?.Ready ?? 0) + steps.Sum(s => s.Ready), (shared?.Unacknowledged ?? 0) + steps.Sum(s => s.Unacknowledged), shared?.Consumers ?? 0);
    }

    /// <summary>The names of the queues that start with <paramref name="prefix"/> (e.g. a deployment's queue prefix).</summary>
    public async Task<IReadOnlyList<string>> QueuesAsync(string prefix, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"queues/{_vhost}?columns=name", cancellationToken);
        await Ensure(response, "listing queues");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Creates or replaces a policy of the virtual host (e.g. <c>{"expires": ms}</c> for queues matching <paramref name="pattern"/>).</summary>
    public async Task SetPolicyAsync(string name, string pattern, IReadOnlyDictionary<string, object> definition, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(new { pattern, definition, priority = 0, apply_to = "queues" });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PutAsync($"policies/{_vhost}/{Uri.EscapeDataString(name)}", content, cancellationToken);
        await Ensure(response, $"setting policy '{name}'");
    }

    /// <summary>Deletes a policy of the virtual host; one that does not exist is skipped.</summary>
    public Task DeletePolicyAsync(string name, CancellationToken cancellationToken = default) =>
        DeleteIfExistsAsync("policies", name, cancellationToken);

    /// <summary>Deletes queues and their exchanges; what does not exist is skipped.</summary>
    public async Task DeleteAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        foreach (var name in names)
            foreach (var kind in (string[])["queues", "exchanges"])
                await DeleteIfExistsAsync(kind, name, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task DeleteIfExistsAsync(string kind, string name, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"{kind}/{_vhost}/{Uri.EscapeDataString(name)}", cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound) await Ensure(response, $"deleting {kind} '{name}'");
    }

    private static async Task Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"RabbitMQ management API, {what}: {(int)response.StatusCode} {response.ReasonPhrase} {await response.Content.ReadAsStringAsync()}");
    }

    private static HttpClient Client(Uri amqp, int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{amqp.Host}:{port}/api/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
        return http;
    }
}
