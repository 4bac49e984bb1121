namespace Orchestration.Tests;

/// <summary>
/// Where the real services of the distributed tests listen: started by scripts/services.sh on loopback, with the
/// local-development credentials (the only ones in the repository); overridden by environment variables.
/// A test that needs a service fails when it is missing: it never skips.
/// </summary>
internal static class Services
{
    public static string Postgres =>
        Environment.GetEnvironmentVariable("ORCH_POSTGRES") is { Length: > 0 } value ? value
            : "Host=127.0.0.1;Port=5432;Username=orch;Password=orch-dev;Database=orchestration";

    public static Uri RabbitMq =>
        new(Environment.GetEnvironmentVariable("ORCH_RABBITMQ") is { Length: > 0 } value ? value : "amqp://orch:orch-dev@127.0.0.1:5672/");

    /// <summary>Azurite's well-known development account (public, documented by Microsoft; not a secret).</summary>
    public static string Blobs =>
        Environment.GetEnvironmentVariable("ORCH_BLOBS") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
}
