using System.Collections.Concurrent;
using Orchestration.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// Declares a task queue the way workers' receive endpoints declare it (durable, with <see cref="ProcessPriority.Highest"/>
/// priority levels, behind a fanout exchange of its name) before the orchestrator sends to it, so that an urgent
/// process's tasks overtake those already queued. The orchestrator declares it itself, and sends to the exchange,
/// because a MassTransit send to <c>queue:</c> declares the queue without arguments, which RabbitMQ refuses for a queue
/// that has them. Each queue is declared again after <see cref="Redeclare"/>: an idle worker's queue may have expired since.
/// </summary>
public sealed class PriorityTaskQueues(Uri rabbitMq) : IAsyncDisposable
{
    public static readonly TimeSpan Redeclare = TimeSpan.FromMinutes(1);

    /// <summary>The queue arguments workers and the orchestrator both declare (RabbitMQ compares them).</summary>
    public static IDictionary<string, object?> Arguments() => new Dictionary<string, object?> { ["x-max-priority"] = ProcessPriority.Highest };

    private readonly ConcurrentDictionary<string, DateTimeOffset> _declared = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public Task EnsureAsync(string queue, CancellationToken cancellationToken) =>
        _declared.TryGetValue(queue, out var at) && DateTimeOffset.UtcNow - at < Redeclare ? Task.CompletedTask : DeclareAsync(queue, cancellationToken);

    private async Task DeclareAsync(string queue, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            try
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, Arguments(), cancellationToken: cancellationToken);
            }
            catch (OperationInterruptedException refused) when (refused.ShutdownReason?.ReplyCode == 406)
            {
                throw new InvalidOperationException(
                    $"RabbitMQ queue '{queue}' exists without task priorities (declared by an engine version before them): {refused.ShutdownReason.ReplyText}. " +
                    $"Stop the deployment's workers, delete the queue once it is empty (rabbitmqctl delete_queue {queue}), and start them again.", refused);
            }
            await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, queue, "", cancellationToken: cancellationToken);
            _declared[queue] = DateTimeOffset.UtcNow;
        }
        catch
        {
            _channel = null; // a refused declaration closes the channel: the next one opens another
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open) return open;
        if (_connection is not { IsOpen: true })
        {
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = await new ConnectionFactory { Uri = rabbitMq, ClientProvidedName = "orchestration task queues" }.CreateConnectionAsync(cancellationToken);
        }
        return _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null) await _channel.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
        _gate.Dispose();
    }
}
