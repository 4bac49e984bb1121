using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Orchestration.Operations.Telemetry.Health;

/// <summary>The event store answers: a PostgreSQL query on the configured database, and whether the schema is there yet.</summary>
public sealed class EventStoreHealthCheck(string connectionString, string schema) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var where = Where(connectionString);
        try
        {
            var quick = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5, CommandTimeout = 5, Pooling = false };
            await using var connection = new NpgsqlConnection(quick.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var query = new NpgsqlCommand("SELECT to_regclass(@events) IS NOT NULL", connection);
            query.Parameters.AddWithValue("events", $"{schema}.mt_events");
            var hasEvents = (bool)(await query.ExecuteScalarAsync(cancellationToken))!;
            return HealthCheckResult.Healthy(hasEvents
                ? $"PostgreSQL at {where} answers; schema '{schema}' holds the event store"
                : $"PostgreSQL at {where} answers; schema '{schema}' not created yet (the orchestrator creates it when it starts)");
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException or ArgumentException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL at {where} unreachable: {error.Message}", error);
        }
    }

    // Host and port only: the connection string holds the password.
    private static string Where(string connectionString)
    {
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{parsed.Host}:{parsed.Port}/{parsed.Database}";
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }
}
