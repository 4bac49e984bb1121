using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.Adapters.Messaging;

namespace Orchestration.Tests.Adapters.RabbitMq;

/// <summary>A MassTransit bus on the test RabbitMQ, started and stopped by a test; and clean-up through the management API.</summary>
internal sealed class RabbitMqBus : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private RabbitMqBus(ServiceProvider provider) => (_provider, Control) = (provider, provider.GetRequiredService<IBusControl>());

    public IBusControl Control { get; }

    public static async Task<RabbitMqBus> StartAsync(Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> configure)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((context, rabbit) =>
        {
            RabbitMqTransport.Host(rabbit, Services.RabbitMq);
            configure(context, rabbit);
        }));
        var provider = services.BuildServiceProvider();
        var bus = new RabbitMqBus(provider);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.Control.StartAsync(deadline.Token);
        return bus;
    }

    public async ValueTask DisposeAsync()
    {
        await Control.StopAsync();
        await _provider.DisposeAsync();
    }

    /// <summary>Deletes every queue (and its exchange) whose name starts with <paramref name="prefix"/>, and its orchestrator's policy: all of a test deployment's.</summary>
    public static async Task DeleteAllAsync(string prefix)
    {
        using var management = new RabbitMqManagement(Services.RabbitMq);
        await management.DeleteAsync(await management.QueuesAsync(prefix));
        await management.DeletePolicyAsync(IdleQueueExpiry.PolicyOf(prefix));
    }

    /// <summary>Deletes the queues and exchanges a test made, so runs do not pile them up on the broker.</summary>
    public static async Task DeleteAsync(params string[] names)
    {
        using var management = new RabbitMqManagement(Services.RabbitMq);
        await management.DeleteAsync(names);
    }
}
