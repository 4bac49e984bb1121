using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Tests that start a deployment of real processes (an orchestrator and workers) take turns: two cores cannot run
/// several such deployments at once without their timings, not their logic, deciding the outcome.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealProcesses
{
    public const string Name = "real processes";
}
