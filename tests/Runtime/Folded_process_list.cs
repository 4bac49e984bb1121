using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Runtime;
using Orchestration.Tests.Adapters;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>The embedded process list saved beside the log: a new reader starts from it and folds only the log's tail.</summary>
public sealed class Folded_process_list : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task AppendProcessesAsync(IEventStore store, int from, int count)
    {
        for (var i = from; i < from + count; i++)
            await store.AppendAsync([new StreamAppend(ProcessStreams.StreamOf(ProcessId.From($"p-{i}")), 0, TestEvents.Started($"p-{i}", tasks: 1))]);
    }

    [Fact]
    public async Task A_new_reader_starts_from_the_saved_list_and_folds_only_what_came_after()
    {
        using var store = new FileEventStore(_dir["events"], flushToDisk: false);
        await AppendProcessesAsync(store, 0, 3);
        await new FoldedProcessList(store, _dir["views/list.json"]).SaveAsync();
        var savedAt = await store.HeadAsync();
        await AppendProcessesAsync(store, 3, 2);
        var reads = new ReadRecordingStore(store);

        var page = await new FoldedProcessList(reads, _dir["views/list.json"]).PageAsync(1, 10);

        page.Total.Should().Be(5);
        page.Should().BeEquivalentTo(await new FoldedProcessList(store).PageAsync(1, 10), "the same list as a fold of the whole log");
        reads.ReadsFrom.Where(p => p > 0).Should().StartWith(savedAt, "after its first event (the log's identity), it reads on from the saved position");
        reads.ReadsFrom.Count(p => p == 0).Should().Be(1, "only the first event is read from the start");
    }

    [Fact]
    public async Task A_saved_list_of_another_log_or_ahead_of_this_one_is_not_used()
    {
        using (var other = new FileEventStore(_dir["other"], flushToDisk: false))
        {
            await AppendProcessesAsync(other, 0, 4);
            await new FoldedProcessList(other, _dir["views/list.json"]).SaveAsync();
        }
        using var store = new FileEventStore(_dir["events"], flushToDisk: false);
        await AppendProcessesAsync(store, 10, 1);

        var page = await new FoldedProcessList(store, _dir["views/list.json"]).PageAsync(1, 10);

        page.Processes.Select(p => p.Id).Should().Equal("p-10");
    }
}
