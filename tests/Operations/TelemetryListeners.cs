using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>
/// Tests that listen to the engine's spans and metrics. Sources and meters are process-wide, so these run alone:
/// another test's engine running meanwhile would add its tasks to the counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListeners
{
    public const string Name = "telemetry listeners";
}
