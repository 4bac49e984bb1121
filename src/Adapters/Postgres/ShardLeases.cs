using Npgsql;
using Orchestration.Ports;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// One orchestrator's leases on the deployment's shards: the right to be, for as long as it holds one, the only writer
/// of that shard's process streams. Each lease is a session-level advisory lock, all held on one connection of this
/// orchestrator's own (not pooled), so PostgreSQL releases them when the holder's session ends, e.g. when its process is
/// killed. The same session names the orchestrator in <c>pg_stat_activity</c>: live orchestrators count one another there
/// and share the shards out evenly. Each new owner counts the shard's epoch up; after its connection broke (the database
/// restarted), an owner keeps its shards only if every epoch is still its own, that is if nobody else owned one in between,
/// since its aggregates in memory would then be behind the store.
/// </summary>
public sealed class ShardLeases : IAsyncDisposable
{
    private readonly NpgsqlDataSource _sessions;
    private readonly PostgresSchema _schema;
    private readonly Dictionary<int, long> _held = [];
    private NpgsqlConnection? _session;

    internal ShardLeases(string connectionString, PostgresSchema schema, string holder, int count)
    {
        _schema = schema;
        Holder = holder;
        Count = Shard.CheckCount(count, "Orchestration:Shards");
        // Not pooled: a lock held by a connection handed back to a pool would outlive the lease.
        _sessions = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false, CommandTimeout = 5, ApplicationName = Truncated($"{MemberPrefix}{Guid.NewGuid():N}"),
        }.ConnectionString);
    }

    /// <summary>Who this orchestrator is, as the others see it (host and process id).</summary>
    public string Holder { get; }

    /// <summary>How many shards the deployment has.</summary>
    public int Count { get; }

    /// <summary>The shards held, each with its epoch: how many owners it had, counting this one.</summary>
    public IReadOnlyDictionary<int, long> Held => _held;

    // PostgreSQL keeps 63 bytes of a session's name; the prefix is at most 54 (a schema name is at most 48).
    private static string Truncated(string name) => name.Length > 63 ? name[..63] : name;

    // What the sessions of this deployment's orchestrators are named by, in pg_stat_activity.
    private string MemberPrefix => $"orch:{_schema.Name}:";

    /// <summary>
    /// Joins the deployment: opens the session, and records the shard count, or refuses a count that differs from the
    /// one its running orchestrators use (a stream would then belong to two shards at once).
    /// </summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        await SessionAsync(cancellationToken);
        var agreed = await ScalarAsync<int>($"""
            WITH changed AS (
                UPDATE {_schema.Deployment} SET shards = $1 WHERE shards IS DISTINCT FROM $1 AND NOT EXISTS (
                    SELECT 1 FROM pg_stat_activity WHERE starts_with(application_name, $2) AND pid <> pg_backend_pid())
                RETURNING shards)
            SELECT coalesce((SELECT shards FROM changed), (SELECT shards FROM {_schema.Deployment}))
            """, cancellationToken, Count, MemberPrefix);
        if (agreed == Count) return;
        await DropSessionAsync(); // refused: not counted among the deployment's orchestrators
        throw new IncompatibleStoreException(
                $"This deployment's running orchestrators split its processes into {agreed} shards; this one is set to {Count} (Orchestration__Shards). " +
                $"Set Orchestration__Shards={agreed} on it, or stop every orchestrator of the deployment and start them all with the new count.");
    }

    /// <summary>How many orchestrators of the deployment are connected now, this one included.</summary>
    public Task<long> MembersAsync(CancellationToken cancellationToken) =>
        ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE starts_with(application_name, $1)", cancellationToken, MemberPrefix);

    /// <summary>Takes <paramref name="shard"/> if no other orchestrator holds it; true when this one now does.</summary>
    public async Task<bool> TryTakeAsync(int shard, CancellationToken cancellationToken)
    {
        if (_held.ContainsKey(shard)) return true;
        if (!await ScalarAsync<bool>($"SELECT pg_try_advisory_lock({_schema.ShardLockKey(shard)})", cancellationToken)) return false;
        _held[shard] = await ScalarAsync<long>($"""
            INSERT INTO {_schema.Shards} (shard, holder, epoch, since) VALUES ($1, $2, 1, now())
            ON CONFLICT (shard) DO UPDATE SET holder = excluded.holder, epoch = {_schema.Shards}.epoch + 1, since = now() RETURNING epoch
            """, cancellationToken, shard, Holder);
        return true;
    }

    /// <summary>Hands <paramref name="shard"/> back: another orchestrator may take it at once.</summary>
    public async Task ReleaseAsync(int shard, CancellationToken cancellationToken)
    {
        if (!_held.Remove(shard)) return;
        await ScalarAsync<bool>($"SELECT pg_advisory_unlock({_schema.ShardLockKey(shard)})", cancellationToken);
    }

    /// <summary>Who owns <paramref name="shard"/> and since when, as the shards table last recorded it.</summary>
    public async Task<string> OwnerOfAsync(int shard, CancellationToken cancellationToken) =>
        await ScalarAsync<string?>($"SELECT holder || ', owning it since ' || to_char(since, 'YYYY-MM-DD HH24:MI:SS TZ') FROM {_schema.Shards} WHERE shard = $1",
            cancellationToken, shard) ?? "none recorded";

    /// <summary>
    /// Null while every shard held is still this orchestrator's. A broken session is retaken once the database answers
    /// again (checked every <paramref name="retry"/>), with every shard whose epoch is still this one's; otherwise returns why one was lost.
    /// </summary>
    public async Task<string?> CheckAsync(TimeSpan retry, CancellationToken cancellationToken)
    {
        try
        {
            await ScalarAsync<int>("SELECT 1", cancellationToken);
            return null;
        }
        catch (NpgsqlException)
        {
            await DropSessionAsync();
        }
        while (true)
        {
            await Task.Delay(retry, cancellationToken);
            try
            {
                var retaken = 0;
                foreach (var (shard, epoch) in _held)
                {
                    var locked = await ScalarAsync<bool>($"SELECT pg_try_advisory_lock({_schema.ShardLockKey(shard)})", cancellationToken);
                    var now = await ScalarAsync<long>($"SELECT epoch FROM {_schema.Shards} WHERE shard = $1", cancellationToken, shard);
                    if (now != epoch)
                        return $"another orchestrator ({await OwnerOfAsync(shard, cancellationToken)}) owned shard {shard} while this one was cut off from the database";
                    // Not locked at the same epoch: this process's old session still holds it, until PostgreSQL sees that session gone.
                    if (locked) retaken++;
                }
                if (retaken == _held.Count) return null;
            }
            catch (NpgsqlException)
            {
                await DropSessionAsync();
            }
        }
    }

    private async Task<NpgsqlConnection> SessionAsync(CancellationToken cancellationToken)
    {
        if (_session is not null) return _session;
        var session = await _sessions.OpenConnectionAsync(cancellationToken);
        // So that PostgreSQL notices a holder gone from the network in about 25 s, not the system's default of hours.
        await using (var keepalive = new NpgsqlCommand("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3", session))
            await keepalive.ExecuteNonQueryAsync(cancellationToken);
        return _session = session;
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, await SessionAsync(cancellationToken));
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

    /// <summary>Ends the session, and with it every lease: the other orchestrators take the shards at once.</summary>
    public async ValueTask DisposeAsync()
    {
        _held.Clear();
        await DropSessionAsync();
        await _sessions.DisposeAsync();
    }
}
