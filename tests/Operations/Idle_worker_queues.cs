using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using Orchestration.Adapters.Messaging;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>
/// Workers come and go under new names, each with its own queue and one per label: the orchestrator has the broker
/// delete those left unused for the expiry (here 2 s), and never the shared task queue.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Idle_worker_queues : DistributedStack
{
    protected override IReadOnlyDictionary<string, string> Faults { get; } = new Dictionary<string, string> { ["Orchestration__IdleQueueExpiry"] = "00:00:02" };

    [Fact]
    public async Task The_queues_of_a_worker_that_left_are_deleted_by_the_broker_and_the_shared_task_queue_stays()
    {
        using var management = new RabbitMqManagement(Services.RabbitMq);
        var (own, label, shared) = ($"{Name}-worker.w1", $"{Name}-label.zone.a", $"{Name}-run-task");
        async Task<int?> Consumers(string queue) => (await management.DepthAsync(queue))?.Consumers;
        StartHost("orchestrator");
        var worker = StartHost("worker", "--name", "w1", "--label", "zone=a");
        await Eventually.True(async () => await Consumers(own) == 1 && await Consumers(label) == 1, TimeSpan.FromSeconds(60),
            "the worker consuming its own queue and its label's");
        await Eventually.True(async () => await PolicyOn(management, own) == IdleQueueExpiry.PolicyOf($"{Name}-"), TimeSpan.FromSeconds(30),
            "the orchestrator's expiry policy applied to the worker's queue");

        Process.Start("kill", ["-TERM", worker.Id.ToString()])!.WaitForExit();
        worker.WaitForExit(TimeSpan.FromSeconds(30)).Should().BeTrue("the worker stops on SIGTERM");

        await Eventually.True(async () => await Consumers(own) is null && await Consumers(label) is null, TimeSpan.FromSeconds(60),
            "the broker deleting the queues of the worker that left");
        (await Consumers(shared)).Should().NotBeNull("the shared task queue never expires");
        (await PolicyOn(management, shared)).Should().BeNull();
    }

    private static async Task<string?> PolicyOn(RabbitMqManagement management, string queue)
    {
        using var response = await management.Api.GetAsync($"queues/{management.VirtualHost}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode) return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("policy", out var policy) && policy.ValueKind == JsonValueKind.String ? policy.GetString() : null;
    }
}
