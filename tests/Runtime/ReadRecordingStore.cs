using Orchestration.Ports;

namespace Orchestration.Tests.Runtime;

/// <summary>The store, recording where each read of the whole log starts.</summary>
internal sealed class ReadRecordingStore(IEventStore inner) : IEventStore
{
    public List<long> ReadsFrom { get; } = [];
    public Task<long> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default) => inner.AppendAsync(appends, cancellationToken);
    public IAsyncEnumerable<StoredEvent> ReadStreamAsync(string stream, long afterVersion = 0, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(stream, afterVersion, cancellationToken);
    public Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken = default)
    {
        lock (ReadsFrom) ReadsFrom.Add(afterPosition);
        return inner.ReadAllAsync(afterPosition, max, cancellationToken);
    }
    public Task<long> HeadAsync(CancellationToken cancellationToken = default) => inner.HeadAsync(cancellationToken);
    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        inner.WaitForEventsAsync(afterPosition, timeout, cancellationToken);
    public Task<IReadOnlyList<StreamInfo>> StreamsAsync(CancellationToken cancellationToken = default) => inner.StreamsAsync(cancellationToken);
    public Task<long> DeleteStreamsAsync(IReadOnlyCollection<string> streams, CancellationToken cancellationToken = default) => inner.DeleteStreamsAsync(streams, cancellationToken);
}
