using System.Net.Http.Json;
using System.Text.Json;
using Orchestration.Adapters.Messaging;

namespace Orchestration.Tests.Adapters.RabbitMq;

/// <summary>
/// Puts raw bytes on a queue and reads messages back with their headers, through RabbitMQ's management API:
/// what a misbehaving producer would send, bypassing MassTransit's serializer.
/// </summary>
internal static class RawMessages
{
    public sealed record Peeked(string Payload, IReadOnlyDictionary<string, string> Headers);

    public static async Task PublishAsync(string queue, string payload)
    {
        using var management = new RabbitMqManagement(Services.RabbitMq);
        using var response = await management.Api.PostAsJsonAsync($"exchanges/{management.VirtualHost}/amq.default/publish", new
        {
            properties = new { content_type = "application/vnd.masstransit+json", delivery_mode = 2 },
            routing_key = queue,
            payload,
            payload_encoding = "string",
        });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!json.RootElement.GetProperty("routed").GetBoolean()) throw new InvalidOperationException($"No queue '{queue}' took the message.");
    }

    /// <summary>Up to <paramref name="count"/> messages of a queue, left on it.</summary>
    public static async Task<IReadOnlyList<Peeked>> PeekAsync(string queue, int count = 10)
    {
        using var management = new RabbitMqManagement(Services.RabbitMq);
        using var response = await management.Api.PostAsJsonAsync($"queues/{management.VirtualHost}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto" });
        if (!response.IsSuccessStatusCode) return [];
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.EnumerateArray().Select(m => new Peeked(m.GetProperty("payload").GetString() ?? "",
            m.GetProperty("properties").TryGetProperty("headers", out var headers)
                ? headers.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.ToString())
                : new Dictionary<string, string>())).ToList();
    }
}
