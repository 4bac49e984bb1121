using Microsoft.Extensions.Configuration;

namespace Orchestration.Operations.Telemetry;

/// <summary>
/// Where telemetry goes: an OTLP collector when <c>Orchestration__Otlp</c> (or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) is set; the console only in development and only when asked
/// (<c>Orchestration__Telemetry__Console=true</c>), so command output stays clean by default.
/// </summary>
/// <param name="Otlp">Export over OTLP.</param>
/// <param name="OtlpEndpoint">The collector from <c>Orchestration__Otlp</c>; null leaves it to the exporter's standard variables.</param>
public sealed record TelemetrySettings(bool Otlp, string? OtlpEndpoint, bool Console)
{
    public static readonly TelemetrySettings Off = new(false, null, false);

    /// <summary>True when some exporter is configured; otherwise nothing listens and the engine pays nothing.</summary>
    public bool Enabled => Otlp || Console;

    public static TelemetrySettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Orchestration");
        var endpoint = NonEmpty(section["Otlp"]);
        var development = string.Equals(section["Environment"] ?? "Development", "Development", StringComparison.OrdinalIgnoreCase);
        var console = development && string.Equals(section["Telemetry:Console"], "true", StringComparison.OrdinalIgnoreCase);
        return new TelemetrySettings(endpoint is not null || NonEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) is not null, endpoint, console);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
