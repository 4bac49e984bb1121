namespace Orchestration.Contracts.Messages;

/// <summary>
/// Request from a client to the orchestrator: run a prune (retention) where the runtime runs, as the request's JSON.
/// Deleting is only safe beside the writers, so clients never delete themselves.
/// </summary>
[WireName("prune-requested.v1")]
public sealed record PruneRequested(string Json);

/// <summary>The prune's report as JSON, or why it was refused (nothing deleted then).</summary>
[WireName("prune-answered.v1")]
public sealed record PruneAnswered(string? Json, string? Refusal);
