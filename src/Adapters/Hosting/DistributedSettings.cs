using Microsoft.Extensions.Configuration;

namespace Orchestration.Adapters.Hosting;

/// <summary>
/// Where the distributed deployment's services are, from configuration (section <c>Orchestration</c> of
/// appsettings.json, overridden by environment variables such as <c>Orchestration__Postgres</c>). The repository
/// holds only the local-development defaults.
/// </summary>
public sealed record DistributedSettings
{
    public const string Section = "Orchestration";

    /// <summary><c>embedded</c> (one process, local disk) or <c>distributed</c> (the services below).</summary>
    public string Mode { get; init; } = "embedded";
    public string Postgres { get; init; } = "";
    public string Schema { get; init; } = "orchestration";
    public string RabbitMq { get; init; } = "";
    public string Blobs { get; init; } = "";
    public string BlobContainer { get; init; } = "orchestration";
    /// <summary>Put before the queue names, so several deployments (or test runs) can share one broker.</summary>
    public string QueuePrefix { get; init; } = "";

    public string TaskQueue => QueuePrefix + "run-task";
    public string OrchestratorQueue => QueuePrefix + "orchestrator";

    public bool IsDistributed => string.Equals(Mode, "distributed", StringComparison.OrdinalIgnoreCase);

    public static DistributedSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<DistributedSettings>() ?? new DistributedSettings();
        if (!settings.IsDistributed && !string.Equals(settings.Mode, "embedded", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{Section}:Mode is '{settings.Mode}'; it must be 'embedded' or 'distributed'.");
        return settings;
    }

    /// <summary>Throws, naming every missing setting and where to set it, unless all that <paramref name="needs"/> names are set.</summary>
    public DistributedSettings Require(params string[] needs)
    {
        var missing = needs.Where(need => need switch
        {
            nameof(Postgres) => string.IsNullOrWhiteSpace(Postgres),
            nameof(RabbitMq) => string.IsNullOrWhiteSpace(RabbitMq),
            nameof(Blobs) => string.IsNullOrWhiteSpace(Blobs),
            _ => false,
        }).ToList();
        return missing.Count == 0 ? this : throw new InvalidOperationException(
            $"Not configured: {string.Join(", ", missing.Select(m => $"{Section}:{m}"))}. Set them in appsettings.json or as environment variables ({string.Join(", ", missing.Select(m => $"{Section}__{m}"))}).");
    }

    public static IConfiguration Load() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production"}.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}
