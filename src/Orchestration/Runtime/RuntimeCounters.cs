using Orchestration.Contracts.Messages;

namespace Orchestration.Runtime;

/// <summary>What the orchestrator has done since it started; read by progress views, metrics and benchmarks.</summary>
public sealed class RuntimeCounters
{
    private long _commands, _events, _appends, _duplicates, _rejected, _conflicts, _dispatched, _messages, _timeoutsSent, _caughtUp, _localBytes, _bytesMoved, _handedOn, _confirmed;

    public long Commands => Interlocked.Read(ref _commands);
    public long Events => Interlocked.Read(ref _events);
    /// <summary>Group commits: several commands' events written in one append.</summary>
    public long Appends => Interlocked.Read(ref _appends);
    public long DuplicatesDropped => Interlocked.Read(ref _duplicates);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Conflicts => Interlocked.Read(ref _conflicts);
    public long Dispatched => Interlocked.Read(ref _dispatched);
    /// <summary>Messages the dispatched tasks went in: fewer than the tasks when short tasks travel packed.</summary>
    public long MessagesSent => Interlocked.Read(ref _messages);
    /// <summary>Tasks this orchestrator confirmed (their first confirmation, which it recorded).</summary>
    public long TasksConfirmed => Interlocked.Read(ref _confirmed);
    public long TimeoutsSent => Interlocked.Read(ref _timeoutsSent);
    /// <summary>Attempts sent again to another worker because the one chosen for them left before confirming them.</summary>
    public long HandedOn => Interlocked.Read(ref _handedOn);
    /// <summary>Aggregates found behind the store (another orchestrator wrote to them) and brought up to date.</summary>
    public long CaughtUp => Interlocked.Read(ref _caughtUp);
    /// <summary>Bytes of local files the confirmed tasks read where they lie, on their workers.</summary>
    public long LocalBytesScanned => Interlocked.Read(ref _localBytes);
    /// <summary>Bytes the confirmed tasks moved over the network: blobs read plus outputs written.</summary>
    public long BytesMoved => Interlocked.Read(ref _bytesMoved);

    internal void Command() => Interlocked.Increment(ref _commands);
    internal void Appended(int events) { Interlocked.Increment(ref _appends); Interlocked.Add(ref _events, events); }
    internal void Duplicate()
    {
        Interlocked.Increment(ref _duplicates);
        EngineTelemetry.DuplicateDropped();
    }
    internal void Reject() => Interlocked.Increment(ref _rejected);
    internal void Conflict() => Interlocked.Increment(ref _conflicts);
    internal void Dispatch(int tasks, int messages) { Interlocked.Add(ref _dispatched, tasks); Interlocked.Add(ref _messages, messages); }
    internal void TimeoutSent() => Interlocked.Increment(ref _timeoutsSent);
    internal void HandOn() => Interlocked.Increment(ref _handedOn);
    internal void CatchUp() => Interlocked.Increment(ref _caughtUp);
    internal void Confirmed(TaskMetrics metrics) { Interlocked.Increment(ref _confirmed); Interlocked.Add(ref _localBytes, metrics.LocalBytesScanned); Interlocked.Add(ref _bytesMoved, metrics.BytesMoved); }

    public override string ToString() =>
        $"{Commands:N0} commands, {Events:N0} events in {Appends:N0} appends, {TasksConfirmed:N0} tasks confirmed, {DuplicatesDropped:N0} duplicates dropped, {Rejected:N0} rejected, {Conflicts:N0} conflicts, {CaughtUp:N0} caught up, {Dispatched:N0} tasks dispatched in {MessagesSent:N0} messages, {HandedOn:N0} handed on from lost workers, {LocalBytesScanned:N0} bytes scanned locally, {BytesMoved:N0} bytes moved";
}
