using MassTransit;
using Microsoft.Extensions.Logging;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// Counts the messages an endpoint could not even read (not JSON, not a message envelope, a body that does not
/// deserialize): MassTransit moves each to the endpoint's <c>_error</c> queue with the reason in its
/// <c>MT-Fault-Message</c> header; this says so in the log and in the host's shutdown report, so a poison message is
/// never silent.
/// </summary>
public sealed class PoisonMessages(ILogger<PoisonMessages> log) : IReceiveObserver
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Interlocked.Increment(ref _count);
        log.LogError("A message on {Address} could not be read and was moved to its error queue: {Reason}", context.InputAddress, exception.Message);
        return Task.CompletedTask;
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public override string ToString() => $"{Count:N0} poison messages moved to the error queue";
}
