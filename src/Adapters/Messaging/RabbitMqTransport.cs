using MassTransit;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The distributed transport: MassTransit on RabbitMQ. Queues are durable and messages persistent (MassTransit's
/// defaults, kept), sends wait for publisher confirms, a message that still fails after its retries goes to the
/// queue's <c>_error</c> queue (never dropped), and MassTransit reconnects after a broker restart.
/// </summary>
public static class RabbitMqTransport
{
    public static void Host(IRabbitMqBusFactoryConfigurator bus, Uri address)
    {
        var (user, password) = Credentials(address);
        bus.Host(new Uri($"rabbitmq://{address.Host}:{(address.IsDefaultPort ? 5672 : address.Port)}{VirtualHost(address)}"), host =>
        {
            host.Username(user);
            host.Password(password);
            host.PublisherConfirmation = true;
            host.Heartbeat(TimeSpan.FromSeconds(10));
        });
        MessageNames.Apply(bus);
    }

    private static (string User, string Password) Credentials(Uri address)
    {
        var parts = Uri.UnescapeDataString(address.UserInfo).Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0
            ? (parts[0], parts[1])
            : throw new ArgumentException($"The RabbitMQ address {address.GetLeftPart(UriPartial.Authority)} needs a user and password (amqp://user:password@host:5672/).");
    }

    private static string VirtualHost(Uri address) => address.AbsolutePath is "" or "/" ? "/" : address.AbsolutePath;
}
