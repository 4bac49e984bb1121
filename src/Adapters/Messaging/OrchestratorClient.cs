using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.Contracts.Messages;
using Orchestration.Processes;
using Orchestration.Storage;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// A client's line to the orchestrator: sends a process command to its queue and awaits the answer, which comes once the
/// command's events are stored. A command that gets no answer in time expires in the queue rather than run later,
/// unseen: the caller gets an error and may send it again (a process id starts one process only).
/// </summary>
public sealed class OrchestratorClient : IAsyncDisposable
{
    private readonly ServiceProvider _bus;
    private readonly IRequestClient<ProcessCommandSent> _requests;
    private readonly IRequestClient<PruneRequested> _prunes;
    private readonly string _queue;
    private readonly TimeSpan _timeout;

    private OrchestratorClient(ServiceProvider bus, string queue, TimeSpan timeout)
    {
        _bus = bus;
        _queue = queue;
        _timeout = timeout;
        _requests = bus.GetRequiredService<IRequestClient<ProcessCommandSent>>();
        _prunes = bus.GetRequiredService<IRequestClient<PruneRequested>>();
    }

    /// <summary>Connects to the broker at <paramref name="rabbitMq"/>; commands go to <paramref name="orchestratorQueue"/>.</summary>
    public static async Task<OrchestratorClient> ConnectAsync(Uri rabbitMq, string orchestratorQueue, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(bus =>
        {
            bus.AddRequestClient<ProcessCommandSent>(new Uri($"queue:{orchestratorQueue}"), RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
            bus.AddRequestClient<PruneRequested>(new Uri($"queue:{orchestratorQueue}"), RequestTimeout.After(ms: (int)PruneTimeout.TotalMilliseconds));
            bus.UsingRabbitMq((_, rabbit) => RabbitMqTransport.Host(rabbit, rabbitMq));
        });
        var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IBusControl>().StartAsync(cancellationToken);
            return new OrchestratorClient(provider, orchestratorQueue, timeout);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends the command and returns once it is stored (or dropped as a duplicate); throws <see cref="DomainError"/> when the process refuses it.</summary>
    public async Task SendAsync(IProcessCommand command, CancellationToken cancellationToken = default)
    {
        var (type, json) = CommandSerializer.Instance.Serialize(command);
        Response<ProcessCommandAnswered> response;
        try
        {
            response = await _requests.GetResponse<ProcessCommandAnswered>(new ProcessCommandSent(command.ProcessId, type, json),
                request => request.UseExecute(send => send.TimeToLive = _timeout), cancellationToken);
        }
        catch (RequestTimeoutException)
        {
            throw new TimeoutException(
                $"The orchestrator did not answer within {_timeout.TotalSeconds:0} s (queue '{_queue}'): is it running? Start it (orch orchestrator) and send the command again.");
        }
        if (response.Message.Refusal is { } refusal) throw DomainError.Named(refusal, response.Message.Error ?? refusal);
    }

    /// <summary>How long a prune may take on the orchestrator (it archives and deletes) before the client gives up waiting.</summary>
    public static readonly TimeSpan PruneTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Asks the orchestrator to run a prune (its request and report as JSON); returns the report's JSON, or throws <see cref="InvalidOperationException"/> with the refusal.</summary>
    public async Task<string> PruneAsync(string requestJson, CancellationToken cancellationToken = default)
    {
        Response<PruneAnswered> response;
        try
        {
            response = await _prunes.GetResponse<PruneAnswered>(new PruneRequested(requestJson),
                request => request.UseExecute(send => send.TimeToLive = _timeout), cancellationToken);
        }
        catch (RequestTimeoutException)
        {
            throw new TimeoutException(
                $"The orchestrator did not answer the prune within {PruneTimeout.TotalMinutes:0} min (queue '{_queue}'): is it running? It goes on with a prune it started; run it again to see what is left.");
        }
        return response.Message.Json ?? throw new InvalidOperationException(response.Message.Refusal);
    }

    public async ValueTask DisposeAsync()
    {
        await _bus.GetRequiredService<IBusControl>().StopAsync();
        await _bus.DisposeAsync();
    }
}
