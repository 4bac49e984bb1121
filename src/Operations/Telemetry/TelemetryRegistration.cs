using MassTransit.Logging;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orchestration.DataProcessing.Workers;
using Orchestration.Runtime;

namespace Orchestration.Operations.Telemetry;

/// <summary>OpenTelemetry for the engine's processes: the engine's, the workers' and MassTransit's spans and metrics.</summary>
public static class TelemetryRegistration
{
    /// <summary>MassTransit's ActivitySource and Meter share this name (<see cref="DiagnosticHeaders.DefaultListenerName"/>).</summary>
    public const string MassTransitName = DiagnosticHeaders.DefaultListenerName;

    /// <summary>Exports traces and metrics as <paramref name="settings"/> says; registers nothing when no exporter is configured.</summary>
    public static IServiceCollection AddEngineTelemetry(this IServiceCollection services, TelemetrySettings settings, string serviceName)
    {
        if (!settings.Enabled) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithTracing(tracing =>
            {
                tracing.AddEngineSources();
                if (settings.Otlp) tracing.AddOtlpExporter(otlp => Target(otlp, settings));
                if (settings.Console) tracing.AddConsoleExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddEngineMeters();
                if (settings.Otlp) metrics.AddOtlpExporter(otlp => Target(otlp, settings));
                if (settings.Console) metrics.AddConsoleExporter();
            });
        return services;
    }

    /// <summary>Every span of one task's trace: dispatch, MassTransit's send and consume, the worker's task, the confirmation.</summary>
    public static TracerProviderBuilder AddEngineSources(this TracerProviderBuilder tracing) =>
        tracing.AddSource(EngineTelemetry.Name, WorkerTelemetry.Name, MassTransitName);

    public static MeterProviderBuilder AddEngineMeters(this MeterProviderBuilder metrics) =>
        metrics.AddMeter(EngineTelemetry.Name, WorkerTelemetry.Name, QueueGauges.MeterName, MassTransitName);

    // Without an endpoint of ours the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _PROTOCOL) itself.
    private static void Target(OtlpExporterOptions otlp, TelemetrySettings settings)
    {
        if (settings.OtlpEndpoint is null) return;
        otlp.Endpoint = Uri.TryCreate(settings.OtlpEndpoint, UriKind.Absolute, out var endpoint) ? endpoint
            : throw new InvalidOperationException($"Orchestration:Otlp is '{settings.OtlpEndpoint}'; it must be a URL such as http://collector:4317.");
    }
}
