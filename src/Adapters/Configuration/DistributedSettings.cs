using Microsoft.Extensions.Configuration;
using Orchestration.Adapters.Messaging;

namespace Orchestration.Adapters.Configuration;

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
    /// <summary>
    /// What a program that adds the engine to its own host (<c>AddOrchestration</c>) runs: <c>embedded</c>,
    /// <c>orchestrator</c>, <c>worker</c> or <c>client</c>; when unset, embedded in embedded mode and client in distributed mode.
    /// </summary>
    public string? Role { get; init; }

    /// <summary>The embedded engine's data directory (event log, blobs, scratch) for a program's own host.</summary>
    public string Data { get; init; } = ".orch";

    /// <summary>How a program's own host runs as a worker (or the embedded engine's slots).</summary>
    public WorkerSettings Worker { get; init; } = new();

    public string Postgres { get; init; } = "";
    public string Schema { get; init; } = "orchestration";

    public string RabbitMq { get; init; } = "";
    public string Blobs { get; init; } = "";
    public string BlobContainer { get; init; } = "orchestration";
    /// <summary><c>Development</c> (the committed default) or <c>Production</c>, where the development credentials are refused.</summary>
    public string Environment { get; init; } = "Development";
    /// <summary>Put before the queue names, so several deployments (or test runs) can share one broker.</summary>
    public string QueuePrefix { get; init; } = "";

    /// <summary>
    /// How long a worker's own queue or a label's queue may go unused (no consumer) before the broker deletes it: workers
    /// come and go under new names, and their queues would otherwise stay for ever. Tasks left in a deleted queue time
    /// out of it (their queue timeout) and are retried.
    /// </summary>
    public TimeSpan IdleQueueExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a client (the command line, a program's client role) waits for the orchestrator to answer a command; the
    /// command expires in the orchestrator's queue after that, so an unanswered start never runs later unseen.
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many shards the deployment's processes are split into (<c>Orchestration__Shards</c>, 1 to 256): each is owned
    /// by one orchestrator at a time, and the running orchestrators share them out evenly, so N orchestrators split the
    /// work N ways and the others take a dead one's shards over. With 1, one orchestrator leads and the others stand by.
    /// Every orchestrator of a deployment must be set alike.
    /// </summary>
    public int Shards { get; init; } = 1;

    public string TaskQueue => QueuePrefix + MassTransitTaskQueue.QueueName;
    /// <summary>Where clients send commands: every orchestrator reads it, and hands a command on to its process's shard.</summary>
    public string OrchestratorQueue => QueuePrefix + "orchestrator";

    /// <summary>
    /// Local roots steps may read in place on this host's workers, by name (<c>Orchestration__Local__sales=/srv/pos</c>);
    /// a worker's <c>--allow-local</c> options add to them.
    /// </summary>
    public Dictionary<string, string> Local { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Schedules of the deployment's graphs (<c>Orchestration__Schedules__0__Name=nightly</c>, <c>__Graph</c>, <c>__Cron</c>, ...).</summary>
    public List<ScheduleSettings> Schedules { get; init; } = [];

    /// <summary>The orchestrator's scheduled prune (<c>Orchestration__Retention__Every=1h</c>, <c>__EndedBefore=7d</c>, <c>__KeepLast</c>, <c>__Outputs</c>); off unless <c>Every</c> is set.</summary>
    public RetentionSettings Retention { get; init; } = new();

    /// <summary>Faults to inject (drills and chaos tests); none unless configured.</summary>
    public FaultInjection Faults { get; init; } = FaultInjection.None;

    public bool IsDistributed => string.Equals(Mode, "distributed", StringComparison.OrdinalIgnoreCase);

    public bool IsProduction => string.Equals(Environment, "Production", StringComparison.OrdinalIgnoreCase);

    public static DistributedSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<DistributedSettings>() ?? new DistributedSettings();
        if (!settings.IsDistributed && !string.Equals(settings.Mode, "embedded", StringComparison.OrdinalIgnoreCase))
            throw new SettingsException($"{Section}:Mode is '{settings.Mode}'; it must be 'embedded' or 'distributed'.");
        settings.Retention.Check($"{Section}:Retention");

        return settings;
    }

    // The credentials of the repository's local stack (appsettings.json, services.sh, docker-compose.yml) and
    // Azurite's published development key: public, so never acceptable in production.
    private static readonly string[] DevelopmentSecrets =
        ["orch-dev", "UseDevelopmentStorage=true", "devstoreaccount1", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="];

    /// <summary>In production, throws naming every setting that still holds a local-development credential.</summary>
    public DistributedSettings RefuseDevelopmentCredentials()
    {
        if (!IsProduction) return this;
        var offending = new (string Name, string Value)[] { (nameof(Postgres), Postgres), (nameof(RabbitMq), RabbitMq), (nameof(Blobs), Blobs) }
            .Where(s => DevelopmentSecrets.Any(secret => s.Value.Contains(secret, StringComparison.OrdinalIgnoreCase)))
            .Select(s => $"{Section}:{s.Name}")
            .ToList();
        return offending.Count == 0 ? this : throw new SettingsException(
            $"{Section}:Environment is Production but {string.Join(", ", offending)} still use the local-development credentials. " +
            $"Set real ones through the environment ({string.Join(", ", offending.Select(o => o.Replace(":", "__")))}).");
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
        return missing.Count == 0 ? RefuseDevelopmentCredentials() : throw new SettingsException(
            $"Not configured: {string.Join(", ", missing.Select(m => $"{Section}:{m}"))}. Set them in appsettings.json or as environment variables ({string.Join(", ", missing.Select(m => $"{Section}__{m}"))}).");
    }

    public static IConfiguration Load() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production"}.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}

/// <summary>
/// How often the orchestrator prunes, and what: every process that ended more than <see cref="EndedBefore"/> ago (an age
/// such as <c>7d</c>), but the newest <see cref="KeepLast"/> of each graph; final outputs too when <see cref="Outputs"/>.
/// </summary>
public sealed record RetentionSettings
{
    public string? Every { get; init; }
    public string? EndedBefore { get; init; }
    public int? KeepLast { get; init; }
    public bool Outputs { get; init; }

    public bool IsOn => !string.IsNullOrWhiteSpace(Every);

    public TimeSpan Interval => Orchestration.Retention.Cutoff.TryParseAge(Every ?? "", out var every) ? every : TimeSpan.Zero;

    public TimeSpan? Age => Orchestration.Retention.Cutoff.TryParseAge(EndedBefore ?? "", out var age) ? age : null;

    /// <summary>Throws naming the setting that is wrong: an interval or age that does not parse, or a prune that selects nothing.</summary>
    public void Check(string section)
    {
        if (!IsOn) return;
        if (Interval <= TimeSpan.Zero)
            throw new SettingsException($"{section}:Every is '{Every}'; give how often to prune as an age above zero, e.g. 1h, 30m or 1d.");
        if (!string.IsNullOrWhiteSpace(EndedBefore) && Age is null)
            throw new SettingsException($"{section}:EndedBefore is '{EndedBefore}'; give an age, e.g. 7d, 12h or 0s.");
        if (Age is null && KeepLast is null)
            throw new SettingsException($"{section} prunes every {Every} but selects nothing: set {section}:EndedBefore (e.g. 7d) and/or {section}:KeepLast.");
        if (KeepLast < 0) throw new SettingsException($"{section}:KeepLast is {KeepLast}; it must be 0 or more.");
    }
}

/// <summary>A worker of a program's own host (<c>Orchestration__Worker__Name</c>, <c>__Slots</c>, <c>__Prefetch</c>, <c>__Labels__region=EU</c>).</summary>
public sealed record WorkerSettings
{
    /// <summary>As <c>describe</c> shows it; default: machine name and process id.</summary>
    public string? Name { get; init; }
    public int Slots { get; init; } = System.Environment.ProcessorCount;
    public int? Prefetch { get; init; }
    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>A setting is missing, wrong or unsafe; the message names it and where to set it.</summary>
public sealed class SettingsException(string message) : InvalidOperationException(message);
