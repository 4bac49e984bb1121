using System.Threading.Channels;
using FluentAssertions;
using MassTransit;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Xunit;

namespace Orchestration.Tests.Adapters.RabbitMq;

[Collection(ServiceOutage.Name)]
public sealed class Broker_restart : IAsyncLifetime
{
    private readonly string _queue = $"test-{Guid.NewGuid():N}-restart";

    public Task InitializeAsync() => Task.CompletedTask;

    // After the test's buses are stopped: a bus still running would declare the queue again.
    public Task DisposeAsync() => RabbitMqBus.DeleteAsync(_queue);

    [Fact]
    public async Task Sender_and_worker_reconnect_after_the_broker_restarts_and_no_task_is_lost()
    {
        var arrived = Channel.CreateUnbounded<RunTask>();
        await using var worker = await RabbitMqBus.StartAsync((_, rabbit) =>
            rabbit.ReceiveEndpoint(_queue, e => e.Handler<RunTask>(c => arrived.Writer.WriteAsync(c.Message).AsTask())));
        await using var sender = await RabbitMqBus.StartAsync((_, _) => { });
        var queue = new MassTransitTaskQueue(sender.Control, isDurable: true, _queue);
        var process = ProcessId.From("p-restart");
        RunTask Task(int partition) => new(process, TaskId.For(process, "map", partition), 1, "map", partition, StepWork.Sql("SELECT 1"), [],
            new Dictionary<string, string>(), DateTimeOffset.UtcNow.AddMinutes(5));
        await queue.SendAsync([Task(0)]);
        using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            (await arrived.Reader.ReadAsync(first.Token)).Partition.Should().Be(0);

        await ServiceOutage.RabbitMqCtl("stop_app");
        await ServiceOutage.RabbitMqCtl("start_app");
        await ServiceOutage.RabbitMqCtl("await_startup");

        // The sender's channel was closed under it: sending goes on once MassTransit has reconnected.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await Eventually.True(async () =>
        {
            try { await queue.SendAsync([Task(1)], cancellationToken: deadline.Token); return true; }
            catch (Exception e) when (e is not OperationCanceledException) { return false; }
        }, TimeSpan.FromSeconds(90), "a send after the broker came back");
        (await arrived.Reader.ReadAsync(deadline.Token)).Partition.Should().Be(1, "the worker reconnected and consumes again");
    }
}
