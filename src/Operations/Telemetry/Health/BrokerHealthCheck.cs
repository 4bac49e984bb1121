using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Orchestration.Operations.Telemetry.Health;

/// <summary>The broker answers: an AMQP connection with the deployment's credentials, as the hosts make.</summary>
public sealed class BrokerHealthCheck(Uri amqpAddress) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var where = $"{amqpAddress.Host}:{(amqpAddress.IsDefaultPort ? 5672 : amqpAddress.Port)}";
        try
        {
            var factory = new ConnectionFactory
            {
                Uri = amqpAddress,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                AutomaticRecoveryEnabled = false,
                ClientProvidedName = "orch health",
            };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            var version = connection.ServerProperties?.TryGetValue("version", out var v) == true && v is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "?";
            return HealthCheckResult.Healthy($"RabbitMQ {version} at {where} accepts connections");
        }
        catch (Exception error) when (error is BrokerUnreachableException or OperationInterruptedException or IOException or TimeoutException or ArgumentException)
        {
            return HealthCheckResult.Unhealthy($"RabbitMQ at {where} unreachable: {Innermost(error).Message}", error);
        }
    }

    // The client wraps the socket error that says why in two layers.
    private static Exception Innermost(Exception error) => error.InnerException is { } inner ? Innermost(inner) : error;
}
