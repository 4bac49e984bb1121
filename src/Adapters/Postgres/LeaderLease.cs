using Npgsql;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// The right to be the deployment's one orchestrator, and so the only writer of its process streams: a session-level
/// advisory lock held on a connection of its own (not pooled), released by PostgreSQL when the holder's session ends,
/// e.g. when its process is killed. Each new leader counts an epoch up in the deployment's row; after its connection
/// broke (the database restarted), a leader keeps the lead only if the epoch is still its own, that is if nobody else
/// led in between, since its aggregates in memory would then be behind the store.
/// </summary>
public sealed class LeaderLease : IAsyncDisposable
{
    private readonly NpgsqlDataSource _sessions;
    private readonly PostgresSchema _schema;
    private NpgsqlConnection? _session;

    internal LeaderLease(string connectionString, PostgresSchema schema, string holder)
    {
        // Not pooled: a lock held by a connection handed back to a pool would outlive the lease.
        _sessions = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 5 }.ConnectionString);
        _schema = schema;
        Holder = holder;
    }

    /// <summary>Who this process is, as a standby sees its leader (host and process id).</summary>
    public string Holder { get; }

    /// <summary>This leader's epoch: how many times the deployment changed leader, counting this one.</summary>
    public long Epoch { get; private set; }

    /// <summary>Waits until this process leads; meanwhile tells <paramref name="standingBy"/> who does, every <paramref name="retry"/>.</summary>
    public async Task AcquireAsync(TimeSpan retry, Action<string> standingBy, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (await TryLockAsync(cancellationToken))
                {
                    Epoch = await ScalarAsync<long>($"UPDATE {_schema.Deployment} SET leader_epoch = leader_epoch + 1, leader = $1, led_since = now() RETURNING leader_epoch",
                        cancellationToken, Holder);
                    return;
                }
                standingBy(await LeaderAsync(cancellationToken));
            }
            catch (Exception error) when (error is NpgsqlException && !cancellationToken.IsCancellationRequested)
            {
                await DropSessionAsync();
                standingBy($"not known yet: the database does not answer ({error.Message})");
            }
            await Task.Delay(retry, cancellationToken);
        }
    }

    /// <summary>
    /// Holds the lead, checking the session every <paramref name="interval"/>, until it is lost for good; returns why.
    /// A broken session is retaken once the database answers again, and the lead kept if the epoch is still this one's.
    /// </summary>
    public async Task<string> HoldAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(interval, cancellationToken);
            try
            {
                await ScalarAsync<int>("SELECT 1", cancellationToken);
                continue;
            }
            catch (NpgsqlException)
            {
                await DropSessionAsync();
            }
            if (await RetakeAsync(interval, cancellationToken) is { } lost) return lost;
        }
    }

    /// <summary>Null once the lead is this process's again; otherwise why it passed to another.</summary>
    private async Task<string?> RetakeAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(interval, cancellationToken);
            try
            {
                var locked = await TryLockAsync(cancellationToken);
                var epoch = await ScalarAsync<long>($"SELECT leader_epoch FROM {_schema.Deployment}", cancellationToken);
                if (epoch != Epoch)
                    return $"another orchestrator ({await LeaderAsync(cancellationToken)}) led while this one was cut off from the database";
                // Not locked at the same epoch: the lock is still held by this process's old session, until PostgreSQL sees it gone.
                if (locked) return null;
            }
            catch (NpgsqlException)
            {
                await DropSessionAsync();
            }
        }
    }

    private async Task<bool> TryLockAsync(CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            _session = await _sessions.OpenConnectionAsync(cancellationToken);
            // So that PostgreSQL notices a holder gone from the network in about 25 s, not the system's default of hours.
            await ScalarAsync<int>("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3; SELECT 1", cancellationToken);
        }
        return await ScalarAsync<bool>($"SELECT pg_try_advisory_lock({_schema.LeaderLockKey})", cancellationToken);
    }

    private async Task<string> LeaderAsync(CancellationToken cancellationToken) =>
        await ScalarAsync<string?>($"SELECT coalesce(leader || ', leading since ' || to_char(led_since, 'YYYY-MM-DD HH24:MI:SS TZ'), 'none recorded') FROM {_schema.Deployment}",
            cancellationToken) ?? "none recorded";

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, _session);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task DropSessionAsync()
    {
        if (_session is null) return;
        try { await _session.DisposeAsync(); }
        catch (NpgsqlException) { } // already broken: that is why it is dropped
        _session = null;
    }

    /// <summary>Ends the session, and with it the lead: a standby takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await DropSessionAsync();
        await _sessions.DisposeAsync();
    }
}
