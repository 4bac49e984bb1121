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

    /// <summary>Tasks as a worker received them, one entry per message (a <see cref="RunTask"/>, or a pack's tasks).</summary>
    protected ChannelReader<IReadOnlyList<RunTask>> Delivered { get; private set; } = null!;

    /// <summary>A queue, and a worker on the other end writing the tasks of every message it receives to <paramref name="delivered"/>.</summary>
    protected abstract Task<(ITaskQueue Queue, IAsyncDisposable Bus)> CreateAsync(ChannelWriter<IReadOnlyList<RunTask>> delivered);

    public async Task InitializeAsync()
    {
        var channel = Channel.CreateUnbounded<IReadOnlyList<RunTask>>();
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
        while (received.Count < count) received.AddRange(await Delivered.ReadAsync(deadline.Token));
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

    [Fact]
    public async Task Tasks_sent_packed_arrive_a_pack_to_a_message_each_task_once_and_intact()
    {
        var batch = Enumerable.Range(0, 50).Select(Task).ToArray();

        await Queue.SendAsync(batch, mostPerMessage: 8);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var messages = new List<IReadOnlyList<RunTask>>();
        while (messages.Sum(m => m.Count) < batch.Length) messages.Add(await Delivered.ReadAsync(deadline.Token));

        messages.Should().HaveCount(7, "50 tasks of one step, 8 to a message: six packs of 8 and one of 2");
        messages.Should().OnlyContain(m => m.Count <= 8);
        messages.SelectMany(m => m).Select(t => t.Partition).Should().BeEquivalentTo(Enumerable.Range(0, 50));
        JsonSerializer.Serialize(messages.SelectMany(m => m).Single(t => t.Partition == 3)).Should().Be(JsonSerializer.Serialize(batch[3]));
    }
}
