namespace Orchestration.Adapters.Messaging;

/// <summary>
/// Where a worker sends its results and heartbeats: straight to its own deployment's orchestrator queue. Sent, not
/// published: a published result would reach every orchestrator queue bound to the message's exchange, including
/// those of other deployments sharing the broker.
/// </summary>
public sealed record ResultsAddress(Uri Address)
{
    public static ResultsAddress ForQueue(string orchestratorQueue) => new(new Uri($"queue:{orchestratorQueue}"));
}
