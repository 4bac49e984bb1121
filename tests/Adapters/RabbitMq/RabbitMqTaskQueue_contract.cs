using System.Threading.Channels;
using FluentAssertions;
using MassTransit;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.RabbitMq;

/// <summary>The task queue on the real RabbitMQ: the shared contract, plus what a broker adds (durability, error queue, competing workers).</summary>
public sealed class RabbitMqTaskQueue_contract : TaskQueueContract
{
    private readonly string _queue = $"test-{Guid.NewGuid():N}-run-task";

    protected override async Task<(ITaskQueue Queue, IAsyncDisposable Bus)> CreateAsync(ChannelWriter<IReadOnlyList<RunTask>> delivered)
    {
        var bus = await RabbitMqBus.StartAsync((_, rabbit) => rabbit.ReceiveEndpoint(_queue, endpoint =>
        {
            endpoint.PrefetchCount = 16;
            endpoint.Handler<RunTask>(context => delivered.WriteAsync([context.Message]).AsTask());
            endpoint.Handler<RunTasks>(context => delivered.WriteAsync(context.Message.Tasks).AsTask());
        }));
        return (new MassTransitTaskQueue(bus.Control, isDurable: true, _queue), new Cleanup(bus, _queue));
    }

    [Fact]
    public async Task Tasks_sent_while_no_worker_runs_wait_in_the_durable_queue()
    {
        await DisposeAsync(); // the worker stops; the queue stays
        await using (var sender = await RabbitMqBus.StartAsync((_, _) => { }))
            await new MassTransitTaskQueue(sender.Control, isDurable: true, _queue).SendAsync([Task(1), Task(2)]);

        var arrived = Channel.CreateUnbounded<RunTask>();
        await using (await RabbitMqBus.StartAsync((_, rabbit) =>
            rabbit.ReceiveEndpoint(_queue, e => e.Handler<RunTask>(c => arrived.Writer.WriteAsync(c.Message).AsTask()))))
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var first = await arrived.Reader.ReadAsync(deadline.Token);
            var second = await arrived.Reader.ReadAsync(deadline.Token);
            new[] { first.Partition, second.Partition }.Should().BeEquivalentTo([1, 2]);
        }
        await RabbitMqBus.DeleteAsync(_queue); // after the worker stopped, or it would declare the queue again
    }

    [Fact]
    public async Task A_task_that_fails_every_retry_is_moved_to_the_error_queue_not_lost()
    {
        var failing = $"{_queue}-failing";
        var errors = Channel.CreateUnbounded<RunTask>();
        await using (var bus = await RabbitMqBus.StartAsync((_, rabbit) =>
        {
            rabbit.ReceiveEndpoint(failing, e =>
            {
                e.UseMessageRetry(retry => retry.Immediate(2));
                e.Handler<RunTask>(_ => throw new InvalidOperationException("this worker always fails"));
            });
            rabbit.ReceiveEndpoint($"{failing}_error", e => e.Handler<RunTask>(c => errors.Writer.WriteAsync(c.Message).AsTask()));
        }))
        {
            await new MassTransitTaskQueue(bus.Control, isDurable: true, failing).SendAsync([Task(9)]);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            (await errors.Reader.ReadAsync(deadline.Token)).Partition.Should().Be(9);
        }
        await RabbitMqBus.DeleteAsync(failing, $"{failing}_error");
    }

    [Fact]
    public async Task Two_workers_on_one_queue_share_the_tasks_and_none_gets_one_twice()
    {
        var seen = Channel.CreateUnbounded<(string Worker, int Partition)>();
        async Task<RabbitMqBus> Worker(string name) => await RabbitMqBus.StartAsync((_, rabbit) => rabbit.ReceiveEndpoint(_queue, e =>
        {
            e.PrefetchCount = 1;
            e.ConcurrentMessageLimit = 1;
            e.Handler<RunTask>(async c =>
            {
                await System.Threading.Tasks.Task.Yield();
                await seen.Writer.WriteAsync((name, c.Message.Partition));
            });
        }));
        await using var one = await Worker("one");
        await using var two = await Worker("two");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var contractWorker = System.Threading.Tasks.Task.Run(async () => // the contract's own worker competes too
        {
            await foreach (var message in Delivered.ReadAllAsync(deadline.Token))
                foreach (var task in message) await seen.Writer.WriteAsync(("contract", task.Partition));
        });

        await Queue.SendAsync(Enumerable.Range(0, 200).Select(Task).ToArray());
        var received = new List<(string Worker, int Partition)>();
        while (received.Count < 200) received.Add(await seen.Reader.ReadAsync(deadline.Token));

        received.Select(r => r.Partition).Should().OnlyHaveUniqueItems().And.HaveCount(200);
        received.Select(r => r.Worker).Distinct().Should().HaveCountGreaterThan(1, "competing consumers share the queue");
    }

    private sealed class Cleanup(RabbitMqBus bus, string queue) : IAsyncDisposable
    {
        private bool _done;

        public async ValueTask DisposeAsync()
        {
            if (_done) return;
            _done = true;
            await bus.DisposeAsync();
            await RabbitMqBus.DeleteAsync(queue);
        }
    }
}
