using Npgsql;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// Tells waiting followers that events were appended, by this process or any other: a dedicated connection
/// LISTENs on the schema's channel, and every append NOTIFYs it (delivered only when the append commits) with
/// the new head. The connection opens on the first wait; if it drops, the next wait opens a new one, and
/// waiters fall back to their timeout meanwhile.
/// </summary>
internal sealed class AppendNotifications(NpgsqlDataSource source, string channel) : IDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _signal = NewSignal();
    private Task _listening = Task.CompletedTask;
    private long _latest;

    /// <summary>The highest head announced so far (0 before any).</summary>
    public long Latest => Interlocked.Read(ref _latest);

    /// <summary>Completes at the next announcement; take it before checking the head, so none slips between.</summary>
    public Task Next => Volatile.Read(ref _signal).Task;

    /// <summary>Returns once this store is LISTENing: every append committed from then on will be announced.</summary>
    public async Task EnsureListeningAsync(CancellationToken cancellationToken)
    {
        if (!_listening.IsCompleted) return;
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (!_listening.IsCompleted) return;
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            var connection = await source.OpenConnectionAsync(cancellationToken);
            try
            {
                connection.Notification += (_, e) => Announce(long.TryParse(e.Payload, out var head) ? head : 0);
                await using var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection);
                await listen.ExecuteNonQueryAsync(cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            _listening = ListenAsync(connection);
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>
    /// Waits until an event past <paramref name="afterPosition"/> exists (announced, written by this process, or found
    /// at the <paramref name="head"/>), or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task WaitAsync(long afterPosition, TimeSpan timeout, Func<long> lastWritten, Func<CancellationToken, Task<long>> head, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await EnsureListeningAsync(cancellationToken);
            var next = Next;
            if (Latest > afterPosition || lastWritten() > afterPosition || await head(cancellationToken) > afterPosition) return;
            var remaining = timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero) return;
            try { await next.WaitAsync(remaining, cancellationToken); }
            catch (TimeoutException) { return; }
        }
    }

    /// <summary>Records a new head and wakes every waiter (they check the head again themselves).</summary>
    public void Announce(long head)
    {
        long seen;
        do seen = Latest;
        while (head > seen && Interlocked.CompareExchange(ref _latest, head, seen) != seen);
        Interlocked.Exchange(ref _signal, NewSignal()).TrySetResult();
    }

    public void Dispose() => _stop.Cancel();

    private async Task ListenAsync(NpgsqlConnection connection)
    {
        try
        {
            while (true) await connection.WaitAsync(_stop.Token);
        }
        catch (Exception) when (!_stop.IsCancellationRequested)
        {
            // The connection broke (server restart, network): the next wait reconnects.
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await connection.DisposeAsync();
            // Announcements may have been missed while the connection was going down: let waiters look again.
            Announce(0);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
