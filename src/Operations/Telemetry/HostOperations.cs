using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Configuration;
using Orchestration.Operations.Telemetry.Health;

namespace Orchestration.Operations.Telemetry;

/// <summary>What a host process of the deployment carries besides the engine: telemetry, health checks, a health endpoint.</summary>
public static class HostOperations
{
    private static readonly TimeSpan QueuePollInterval = TimeSpan.FromSeconds(15);

    public static IServiceCollection AddOrchestratorOperations(this IServiceCollection services, DistributedSettings settings, TelemetrySettings telemetry, IPEndPoint? health)
    {
        services.AddEngineTelemetry(telemetry, "orchestrator");
        // Only the orchestrator reports the queue, so a pool of workers does not poll the broker once each.
        if (telemetry.Enabled)
            services.AddHostedService(sp => new QueueGauges(new Uri(settings.RabbitMq), settings.TaskQueue, QueuePollInterval, sp.GetRequiredService<ILogger<QueueGauges>>()));
        return services.AddHealth(settings, Dependencies.Orchestrator, health);
    }

    public static IServiceCollection AddWorkerOperations(this IServiceCollection services, DistributedSettings settings, TelemetrySettings telemetry, IPEndPoint? health) =>
        services.AddEngineTelemetry(telemetry, "worker").AddHealth(settings, Dependencies.Worker, health);

    private static IServiceCollection AddHealth(this IServiceCollection services, DistributedSettings settings, Dependencies needs, IPEndPoint? health)
    {
        services.AddEngineHealthChecks(settings, needs);
        return health is null ? services : services.AddHealthEndpoint(health);
    }
}
