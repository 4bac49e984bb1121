using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.Embedded;

public sealed class FileEventStore_contract : EventStoreContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orch-tests", $"events-{Guid.NewGuid():N}");

    protected override Task<IEventStore> CreateAsync() => Task.FromResult<IEventStore>(new FileEventStore(_directory));

    protected override Task<IEventStore> ReopenAsync(IEventStore store)
    {
        ((IDisposable)store).Dispose();
        return Task.FromResult<IEventStore>(new FileEventStore(_directory));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_torn_last_line_from_a_crash_is_cut_off_and_appending_goes_on()
    {
        await Store.AppendAsync([new StreamAppend("p-torn", 0, TestEvents.Started("p-torn"))]);
        ((IDisposable)Store).Dispose();
        await File.AppendAllTextAsync(Path.Combine(_directory, "events.log"), "{\"p\":5,\"s\":\"p-torn\",\"v\":5,\"t\":\"task-conf");

        var reopened = new FileEventStore(_directory);
        await reopened.AppendAsync([new StreamAppend("p-torn", 4, [TestEvents.Confirmed("p-torn", 0)])]);

        (await reopened.HeadAsync()).Should().Be(5);
        (await reopened.ReadStreamAsync("p-torn").ToListAsync()).Should().HaveCount(5);
        reopened.Dispose();
        new FileEventStore(_directory).Dispose(); // reads back cleanly
    }

    [Fact]
    public void A_second_process_on_the_same_directory_gets_a_clear_error()
    {
        var open = () => new FileEventStore(_directory);

        open.Should().Throw<IOException>().WithMessage("*is in use by another process. Stop it, or use another data directory.");
    }
}
