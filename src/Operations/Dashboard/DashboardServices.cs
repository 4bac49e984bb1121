using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.Messaging;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Operations.Dashboard;

/// <summary>Adds the dashboard and its JSON API to an orchestrator's services.</summary>
public static class DashboardServices
{
    /// <summary>
    /// Serves the dashboard from an orchestrator host (the orchestrator host's services):
    /// its processes from the event store, its live workers, and the depth of its task queue from RabbitMQ's management API.
    /// </summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services, DashboardSettings dashboard, DistributedSettings deployment)
    {
        if (!dashboard.Enabled) return services;
        services.AddSingleton(_ => new RabbitMqManagement(new Uri(deployment.RabbitMq)));
        services.AddSingleton(sp =>
        {
            var management = sp.GetRequiredService<RabbitMqManagement>();
            var sources = new DashboardSources(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IProcessList>(), sp.GetRequiredService<WorkerRegistry>(), deployment.TaskQueue,
                ct => management.WorkDepthAsync(deployment.TaskQueue, ct), command => sp.GetRequiredService<ProcessRuntime>().SendAsync(command));
            return new DashboardServer(dashboard, sources, sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<DashboardServer>());
        return services;
    }
}
