using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// Sets the broker policy that deletes a worker's own queue or a label's queue once it has gone unused for the expiry:
/// worker names change as pods and processes come and go, and each leaves its queue behind. A policy rather than a
/// queue argument, because the orchestrator's sends declare these queues too, and RabbitMQ refuses a second declaration
/// with other arguments. Error queues (<c>_error</c>) are left alone: their messages are for an operator to read.
/// Needs the management API and a user allowed to set policies; without them the orchestrator runs on and says so.
/// </summary>
public sealed class IdleQueueExpiry(Uri rabbitMq, string queuePrefix, TimeSpan expiry, ILogger<IdleQueueExpiry> logger) : BackgroundService
{
    public string PolicyName => PolicyOf(queuePrefix);

    /// <summary>Worker, label and C# step queues of the deployment (an old step version's queue goes with its last worker), not their error queues (RabbitMQ's policy patterns are PCRE).</summary>
    public string Pattern => $"^{Regex.Escape(queuePrefix)}(worker|label|step)\\.(?!.*_error$)";

    public static string PolicyOf(string queuePrefix) => $"{queuePrefix}orch-idle-queues";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var management = new RabbitMqManagement(rabbitMq);
        try
        {
            await management.SetPolicyAsync(PolicyName, Pattern, new Dictionary<string, object> { ["expires"] = (long)expiry.TotalMilliseconds }, stoppingToken);
            logger.LogInformation("Worker and label queues unused for {Expiry} expire (policy {Policy})", expiry, PolicyName);
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not set the policy that expires idle worker queues ({Error}); they stay on the broker until deleted. " +
                "Give the orchestrator's RabbitMQ user the policymaker tag and reach the management API on port 15672, or set it yourself: " +
                "rabbitmqctl set_policy {Policy} '{Pattern}' '{{\"expires\":{Expiry}}}' --apply-to queues",
                error.Message, PolicyName, Pattern, (long)expiry.TotalMilliseconds);
        }
    }
}
