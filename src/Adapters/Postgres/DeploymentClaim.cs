using Npgsql;
using Orchestration.Ports;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// A schema holds one deployment's event log. The first process to open it records the deployment's queue prefix
/// (<c>Orchestration__QueuePrefix</c>): a process of another deployment (another prefix) is refused, because its
/// orchestrator would drive the first deployment's processes through queues no worker of theirs reads.
/// </summary>
internal static class DeploymentClaim
{
    public static async Task ClaimAsync(NpgsqlDataSource source, PostgresSchema schema, string queuePrefix, CancellationToken cancellationToken)
    {
        await using var claim = source.CreateCommand($"""
            WITH claimed AS (INSERT INTO {schema.Deployment} (queue_prefix) VALUES ($1) ON CONFLICT DO NOTHING RETURNING queue_prefix)
            SELECT queue_prefix FROM claimed UNION ALL SELECT queue_prefix FROM {schema.Deployment}
            """);
        claim.Parameters.Add(new NpgsqlParameter { Value = queuePrefix });
        // A claim that lost a race with another process's sees no row: the statement's snapshot predates the winner's
        // commit, which its insert waited for. A second statement, with a new snapshot, reads the winner's row.
        await using var read = source.CreateCommand($"SELECT queue_prefix FROM {schema.Deployment}");
        var owner = (string?)await claim.ExecuteScalarAsync(cancellationToken) ?? (string)(await read.ExecuteScalarAsync(cancellationToken))!;
        if (owner != queuePrefix)
            throw new IncompatibleStoreException(
                $"The PostgreSQL schema '{schema.Name}' holds the event log of another deployment: the one whose queues are prefixed '{owner}' " +
                $"(Orchestration__QueuePrefix), where this process is set to '{queuePrefix}'. Point Orchestration__Schema at a schema of this " +
                $"deployment's own, or set Orchestration__QueuePrefix to '{owner}'. If this deployment's queues were renamed on purpose, stop its " +
                $"processes and run: UPDATE \"{schema.Name}\".orchestration_deployment SET queue_prefix = '{queuePrefix}'; Nothing was changed.");
    }
}
