using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestration.Adapters.Configuration;

namespace Orchestration.Operations.Telemetry.Health;

/// <summary>The services a process of the deployment needs to reach.</summary>
[Flags]
public enum Dependencies
{
    EventStore = 1,
    Broker = 2,
    BlobStore = 4,
    Orchestrator = EventStore | Broker,
    Worker = Broker | BlobStore,
    All = EventStore | Broker | BlobStore,
}

/// <summary>Health checks of the deployment's services, by the names operators see: event store, broker, blob store.</summary>
public static class EngineHealth
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static IHealthChecksBuilder AddEngineHealthChecks(this IServiceCollection services, DistributedSettings settings, Dependencies needs)
    {
        var checks = services.AddHealthChecks();
        if (needs.HasFlag(Dependencies.EventStore))
            checks.AddCheck("event store", new EventStoreHealthCheck(settings.Postgres, settings.Schema), timeout: Timeout);
        if (needs.HasFlag(Dependencies.Broker))
            checks.AddCheck("broker", new BrokerHealthCheck(new Uri(settings.RabbitMq)), timeout: Timeout);
        if (needs.HasFlag(Dependencies.BlobStore))
            checks.AddCheck("blob store", new BlobStoreHealthCheck(settings.Blobs, settings.BlobContainer), timeout: Timeout);
        return checks;
    }

    /// <summary>Runs the checks once, outside any host (the <c>orch health</c> command).</summary>
    public static async Task<HealthReport> CheckAsync(DistributedSettings settings, Dependencies needs, CancellationToken cancellationToken = default)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddEngineHealthChecks(settings, needs);
        await using var provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(cancellationToken);
    }

    /// <summary>One line per check, then the overall status: what both the command and the HTTP endpoint print.</summary>
    public static string Describe(HealthReport report)
    {
        var width = report.Entries.Keys.DefaultIfEmpty("").Max(k => k.Length);
        var lines = report.Entries.Select(e =>
            $"{e.Key.PadRight(width)}  {e.Value.Status,-9}  {e.Value.Description ?? e.Value.Exception?.Message}");
        return string.Join('\n', lines.Append($"{"overall".PadRight(width)}  {report.Status} ({report.TotalDuration.TotalMilliseconds:N0} ms)")) + "\n";
    }
}
