using System.Text.Json;
using System.Threading.Channels;
using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters;

/// <summary>What every transport adapter must do for the task queue; a concrete class per adapter (in-memory, RabbitMQ).</summary>
public abstract class TaskQueueContract : IAsyncLifetime
{
    private IAsyncDisposable? _bus;

    protected ITaskQueue Queue { get; private set; } = null!;

    /// <summary>Tasks as a worker received them.</summary>
    protected ChannelReader<RunTask> Delivered { get; private set; } = null!;

    /// <summary>A queue, and a worker on the other end writing every task it receives to <paramref name="delivered"/>.</summary>
    protected abstract Task<(ITaskQueue Queue, IAsyncDisposable Bus)> CreateAsync(ChannelWriter<RunTask> delivered);

    public async Task InitializeAsync()
    {
        var channel = Channel.CreateUnbounded<RunTask>();
        Delivered = channel.Reader;
        (Queue, _bus) = await CreateAsync(channel.Writer);
    }

    public async Task DisposeAsync()
    {
        if (_bus is not null) await _bus.DisposeAsync();
    }

    protected static RunTask Task(int partition)
    {
        var process = ProcessId.From("p-transport");
        return new RunTask(process, TaskId.For(process, "map", partition), 1, "map", partition, StepWork.Sql("SELECT * FROM input"),
            [new TaskInput("input", new BlobRef(new Uri($"blob://local/in/{partition}.parquet"), "ab", 10, 2))],
            new Dictionary<string, string> { ["partition"] = partition.ToString() }, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    protected async Task<List<RunTask>> ReceiveAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<RunTask>();
        while (received.Count < count) received.Add(await Delivered.ReadAsync(deadline.Token));
        return received;
    }

    [Fact]
    public async Task A_sent_task_reaches_a_worker_with_every_field_intact()
    {
        var sent = Task(3);

        await Queue.SendAsync([sent]);
        var received = (await ReceiveAsync(1)).Single();

        JsonSerializer.Serialize(received).Should().Be(JsonSerializer.Serialize(sent));
    }

    [Fact]
    public async Task Every_task_of_a_large_batch_is_delivered_once()
    {
        var batch = Enumerable.Range(0, 500).Select(Task).ToArray();

        await Queue.SendAsync(batch);
        var received = await ReceiveAsync(batch.Length);

        received.Select(t => t.Partition).Should().BeEquivalentTo(Enumerable.Range(0, 500));
    }
}
