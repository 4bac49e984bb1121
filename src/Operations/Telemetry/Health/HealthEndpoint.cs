using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestration.Operations.Telemetry.Health;

/// <summary>
/// <c>GET /healthz</c> for a Generic Host process (a worker) that serves no HTTP otherwise: a tiny Kestrel server
/// beside the host, answering 200 when every check is healthy and 503 otherwise, with one line per check.
/// </summary>
public sealed class HealthEndpoint(IPEndPoint listen, HealthCheckService checks) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(listen));
        builder.Services.AddSingleton(checks);
        _app = builder.Build();
        _app.MapEngineHealth();
        await _app.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

/// <summary>Registers <c>GET /healthz</c> on a host (<c>--health-port</c>).</summary>
public static class HealthEndpointRegistration
{
    /// <summary>Serves <c>/healthz</c> on <paramref name="listen"/> (loopback unless an operator chooses otherwise).</summary>
    public static IServiceCollection AddHealthEndpoint(this IServiceCollection services, IPEndPoint listen) =>
        services.AddHostedService(sp => new HealthEndpoint(listen, sp.GetRequiredService<HealthCheckService>()));

    /// <summary>The same endpoint in an ASP.NET Core app (the dashboard) whose services hold the engine's health checks.</summary>
    public static IEndpointConventionBuilder MapEngineHealth(this IEndpointRouteBuilder endpoints, string path = "/healthz") =>
        endpoints.MapGet(path, async (HttpContext http, HealthCheckService checks) =>
        {
            var report = await checks.CheckHealthAsync(http.RequestAborted);
            http.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(EngineHealth.Describe(report), http.RequestAborted);
        });
}
