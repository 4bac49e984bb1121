using System.Net;
using System.Net.Sockets;
using FluentAssertions;
using Npgsql;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>
/// A watcher of a process (the CLI following a query) waits out an event store that is out of reach, and only that:
/// what Marten throws when PostgreSQL goes away (its command exception, wrapping Npgsql's) must read as an outage, or
/// the CLI dies mid-query while the database restarts.
/// </summary>
public sealed class A_store_out_of_reach
{
    [Fact]
    public async Task A_read_through_a_cut_connection_fails_as_an_outage_and_an_incompatible_store_does_not()
    {
        await using var schema = new TestSchema();
        var server = new NpgsqlConnectionStringBuilder(Services.Postgres);
        await using var cut = new CuttableLink(server.Host!, server.Port);
        await using var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Services.Postgres) { Host = "127.0.0.1", Port = cut.Port, Timeout = 3 }.ConnectionString);
        using var store = await MartenEventStore.OpenAsync(source, schema.Name);
        var read = async () => { await foreach (var _ in store.ReadStreamAsync("process-x")) { } };
        await read.Should().NotThrowAsync("the link is up");

        cut.Cut();

        var failure = (await read.Should().ThrowAsync<Exception>()).Which;
        StoreOutage.Explains(failure).Should().BeTrue($"PostgreSQL out of reach is an outage to wait out, and Marten threw {failure.GetType().Name}: {failure.Message}");
        StoreOutage.Explains(new IncompatibleStoreException("schema of another deployment")).Should().BeFalse("waiting does not make an incompatible store usable");
        StoreOutage.Explains(new InvalidOperationException("a bug")).Should().BeFalse();
    }

    /// <summary>A TCP link to PostgreSQL that can be cut: every connection reset, no new one accepted.</summary>
    private sealed class CuttableLink : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _open = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public CuttableLink(string host, int port)
        {
            _listener.Start();
            _accepting = AcceptAsync(host, port);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task AcceptAsync(string host, int port)
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var upstream = new TcpClient();
                    await upstream.ConnectAsync(host, port, _stop.Token);
                    lock (_open) _open.AddRange([client, upstream]);
                    _ = PumpAsync(client.GetStream(), upstream.GetStream());
                    _ = PumpAsync(upstream.GetStream(), client.GetStream());
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested) { }
        }

        private static async Task PumpAsync(Stream from, Stream to)
        {
            try { await from.CopyToAsync(to); }
            catch (Exception error) when (error is IOException or ObjectDisposedException) { }
        }

        public void Cut()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_open)
                foreach (var client in _open)
                {
                    client.Client.LingerState = new LingerOption(true, 0); // a reset, as a server going away gives
                    client.Dispose();
                }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested) Cut();
            await _accepting;
            _stop.Dispose();
        }
    }
}
