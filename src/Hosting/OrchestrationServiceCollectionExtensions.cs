using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.Adapters.Configuration;
using Orchestration.DataProcessing.LocalData;
using Orchestration.Operations.Dashboard;
using Orchestration.Operations.Telemetry;

namespace Orchestration.Hosting;

/// <summary>
/// Adds the engine to a program's own .NET host, in the style of <c>AddMassTransit</c> and <c>AddHangfireServer</c>:
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddOrchestration(builder.Configuration, o => o.AddGraph(Revenue.Graph).AddStep&lt;ScoreCustomers&gt;());
/// </code>
/// The role (<see cref="OrchestrationRole"/>) comes from <see cref="OrchestrationBuilder.AsRole"/> or <c>Orchestration:Role</c>;
/// the adapters from the same <c>Orchestration__*</c> settings as <c>orch</c>. In the embedded and client roles the host
/// gives an <see cref="Engine"/> to start and follow processes with.
/// </summary>
public static class OrchestrationServiceCollectionExtensions
{
    /// <summary>Adds the engine with settings from <paramref name="configuration"/> (section <c>Orchestration</c>).</summary>
    public static IServiceCollection AddOrchestration(this IServiceCollection services, IConfiguration configuration, Action<OrchestrationBuilder> configure)
    {
        var builder = new OrchestrationBuilder();
        configure(builder);
        var setup = builder.Build();
        var settings = DistributedSettings.From(configuration).RefuseDevelopmentCredentials();
        var role = setup.Role ?? RoleOf(settings);
        services.AddSingleton(setup);
        services.AddSingleton(settings);
        switch (role)
        {
            case OrchestrationRole.Embedded:
                var data = Path.GetFullPath(settings.Data);
                EmbeddedEngine.AddServices(services, new EngineOptions(data, settings.Worker.Slots, LocalRoots: LocalRoots.From(settings.Local),
                    Schedules: setup.WithSchedules(settings).Graphs, Labels: settings.Worker.Labels), setup);
                break;
            case OrchestrationRole.Orchestrator:
                DistributedHosts.AddOrchestratorServices(services, settings, setup.WithSchedules(settings).Graphs);
                // As `orch orchestrator` runs: telemetry when configured, and the dashboard where Orchestration:Dashboard:Urls says.
                services.AddOrchestratorOperations(settings, TelemetrySettings.From(configuration), health: null);
                services.AddDashboard(DashboardSettings.From(configuration), settings);
                break;
            case OrchestrationRole.Worker:
                var name = settings.Worker.Name ?? $"{Environment.MachineName}-{Environment.ProcessId}";
                DistributedHosts.AddWorkerServices(services, settings, new WorkerOptions(name, settings.Worker.Slots, settings.Worker.Prefetch ?? settings.Worker.Slots,
                    Path.Combine(Path.GetTempPath(), $"orch-worker-{name}-{Environment.ProcessId}"), TimeSpan.FromSeconds(30), settings.Worker.Labels,
                    LocalRoots.From(settings.Local)), setup);
                services.AddWorkerOperations(settings, TelemetrySettings.From(configuration), health: null);
                break;
            case OrchestrationRole.Client:
                services.AddSingleton<Engine>(_ => DistributedClient.OpenAsync(settings).GetAwaiter().GetResult());
                break;
        }
        return services;
    }

    /// <summary>Adds the engine with settings from <c>appsettings.json</c> beside the program and the environment.</summary>
    public static IServiceCollection AddOrchestration(this IServiceCollection services, Action<OrchestrationBuilder> configure) =>
        services.AddOrchestration(DistributedSettings.Load(), configure);

    private static OrchestrationRole RoleOf(DistributedSettings settings) =>
        settings.Role is { Length: > 0 } role
            ? Enum.TryParse<OrchestrationRole>(role, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                : throw new OrchestrationSetupException($"{DistributedSettings.Section}:Role is '{role}'; it must be embedded, orchestrator, worker or client.")
            : settings.IsDistributed ? OrchestrationRole.Client : OrchestrationRole.Embedded;
}
