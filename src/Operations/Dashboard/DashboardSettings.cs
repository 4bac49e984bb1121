using Microsoft.Extensions.Configuration;

namespace Orchestration.Operations.Dashboard;

/// <summary>
/// Where the orchestrator serves its dashboard and JSON API: <c>Orchestration:Dashboard:Urls</c> (environment
/// <c>Orchestration__Dashboard__Urls</c>, or <c>--dashboard-urls</c>), loopback only unless configured otherwise,
/// <c>off</c> to serve nothing. <c>orch workers</c> reads the same setting to find the orchestrator.
/// </summary>
public sealed record DashboardSettings(IReadOnlyList<Uri> Urls)
{
    public const string Section = "Orchestration:Dashboard";
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public bool Enabled => Urls.Count > 0;

    /// <summary>The operator token the page's actions need (<c>Orchestration__Dashboard__Token</c>); none: the dashboard is read-only.</summary>
    public string? Token { get; init; }

    /// <summary>Where a client on this machine reaches the dashboard: the first URL, with a wildcard host read as loopback.</summary>
    public Uri ClientAddress => Enabled
        ? new UriBuilder(Urls[0]) { Host = Urls[0].Host is "0.0.0.0" or "+" or "*" or "[::]" ? "127.0.0.1" : Urls[0].Host }.Uri
        : throw new InvalidOperationException("The dashboard is off (Orchestration__Dashboard__Urls=off); there is no address to reach.");

    public static DashboardSettings From(IConfiguration configuration, string? overrideUrls = null) =>
        Parse(overrideUrls ?? configuration[$"{Section}:Urls"] ?? DefaultUrls) with { Token = configuration[$"{Section}:Token"] is { Length: > 0 } token ? token : null };

    /// <summary>Semicolon-separated http(s) URLs (as ASP.NET Core's <c>urls</c>), or <c>off</c>; throws naming what is wrong.</summary>
    public static DashboardSettings Parse(string urls)
    {
        if (urls.Trim() is "" or "off" or "none" or "false") return new DashboardSettings([]);
        var parsed = new List<Uri>();
        foreach (var text in urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // ASP.NET Core's wildcard hosts are not valid URI hosts; read them as "every interface" the way Kestrel does.
            var normalised = text.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0");
            if (!Uri.TryCreate(normalised, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                throw new ArgumentException($"Dashboard URL '{text}' is not an http(s) address with a port and no path, such as {DefaultUrls}; use 'off' to serve no dashboard.");
            parsed.Add(uri);
        }
        return new DashboardSettings(parsed);
    }

    // The token is a secret: never printed.
    public override string ToString() => Enabled ? string.Join(";", Urls.Select(u => u.GetLeftPart(UriPartial.Authority))) : "off";
}
