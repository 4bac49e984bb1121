using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;

namespace Orchestration.Tests.Adapters.Embedded;

public sealed class InMemoryTaskQueue_contract : TaskQueueContract
{
    protected override async Task<(ITaskQueue Queue, IAsyncDisposable Bus)> CreateAsync(ChannelWriter<IReadOnlyList<RunTask>> delivered)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingInMemory((context, transport) =>
            transport.ReceiveEndpoint(MassTransitTaskQueue.QueueName, endpoint =>
            {
                endpoint.ConcurrentMessageLimit = 4;
                endpoint.Handler<RunTask>(context => delivered.WriteAsync([context.Message]).AsTask());
                endpoint.Handler<RunTasks>(context => delivered.WriteAsync(context.Message.Tasks).AsTask());
            })));
        var provider = services.BuildServiceProvider();
        var control = provider.GetRequiredService<IBusControl>();
        await control.StartAsync();
        return (new MassTransitTaskQueue(control, isDurable: false), new Stopping(control, provider));
    }

    private sealed class Stopping(IBusControl control, ServiceProvider provider) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await control.StopAsync();
            await provider.DisposeAsync();
        }
    }
}
