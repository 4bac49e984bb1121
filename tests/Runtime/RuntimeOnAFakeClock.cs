using Microsoft.Extensions.Time.Testing;
using Orchestration.Adapters.Embedded;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;

namespace Orchestration.Tests.Runtime;

/// <summary>A process runtime over a file event store in a temporary directory, on a fake clock: where runtime tests start.</summary>
internal sealed class RuntimeOnAFakeClock : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();

    public RuntimeOnAFakeClock(DateTimeOffset now)
    {
        Clock = new FakeTimeProvider(now);
        Store = new FileEventStore(_dir["events"], flushToDisk: false);
        Runtime = new ProcessRuntime(Store, Clock);
    }

    public FakeTimeProvider Clock { get; }
    public FileEventStore Store { get; }
    public ProcessRuntime Runtime { get; }

    /// <summary>A path inside the temporary directory (e.g. for a checkpoint store).</summary>
    public string this[string relative] => _dir[relative];

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        Store.Dispose();
        _dir.Dispose();
    }
}
