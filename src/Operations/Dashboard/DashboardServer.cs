using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestration.Operations.Dashboard;

/// <summary>
/// The dashboard's web server (Kestrel, minimal APIs) running beside the orchestrator's Generic Host as one of its
/// hosted services. It has its own small WebApplication, so the orchestrator host stays a plain Generic Host and the
/// engine's adapters need no ASP.NET Core; it shares the orchestrator's event store and worker registry.
/// </summary>
public sealed class DashboardServer(DashboardSettings settings, DashboardSources sources, ILoggerFactory? logging = null) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The addresses it listens on once started (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled) return;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls.Select(u => u.GetLeftPart(UriPartial.Authority)).ToArray());
        builder.Logging.ClearProviders();
        if (logging is not null) builder.Services.AddSingleton(logging);
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(DashboardPage.Html, "text/html; charset=utf-8"));
        app.MapDashboardApi(sources, settings.Token);
        var logger = (logging ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<DashboardServer>();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException taken)
        {
            // The dashboard only watches: an orchestrator whose address is taken keeps orchestrating, and says why there is no page.
            logger.LogError("Dashboard not served: {Reason} Set --dashboard-urls or Orchestration__Dashboard__Urls to a free address, or 'off'.", taken.Message);
            await app.DisposeAsync();
            return;
        }
        _app = app;
        Addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        logger.LogInformation("Dashboard on {Addresses}", string.Join(", ", Addresses));
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
