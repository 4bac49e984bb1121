using System.Threading.Channels;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Runtime;

/// <param name="MaxEndedInMemory">
/// How many ended processes a partition may keep in memory before it lets them go; a late command for one reloads it
/// from the store. Running processes always stay: they are the ones being worked on.
/// </param>
/// <param name="SingleWriter">
/// True when no other runtime can write to the store (the embedded store is locked by its process). Otherwise an
/// aggregate kept in memory may be behind the store, so a command it would drop or refuse is decided again on the
/// stream's latest events first: another orchestrator may already have scheduled what this one does not know of.
/// </param>
public sealed record ProcessRuntimeOptions(int Partitions = 2, int MaxBatch = 512, int MaxConflictRetries = 5, bool SingleWriter = false,
    int MaxEndedInMemory = 1_000);

/// <summary>
/// Executes commands against process aggregates, one at a time per process: each process belongs to one
/// partition (a single-reader mailbox), whose loop keeps its aggregates in memory between commands.
/// The commands that queue up while a partition writes are decided together and their events written in
/// one append (group commit). Callers learn the outcome only after the events are stored.
/// </summary>
public sealed class ProcessRuntime : IAsyncDisposable
{
    private readonly Partition[] _partitions;
    private readonly Task[] _loops;

    public ProcessRuntime(IEventStore store, TimeProvider clock, ProcessRuntimeOptions? options = null)
    {
        options ??= new ProcessRuntimeOptions();
        _partitions = Enumerable.Range(0, Math.Max(1, options.Partitions)).Select(_ => new Partition(store, clock, options, Counters)).ToArray();
        _loops = _partitions.Select(p => Task.Run(p.RunAsync)).ToArray();
    }

    public RuntimeCounters Counters { get; } = new();

    /// <summary>Processes whose state is kept in memory, running or recently ended.</summary>
    public int InMemory => _partitions.Sum(p => p.InMemory);

    /// <summary>
    /// Decides the command and stores its events. Completes with the decision (which may be a dropped duplicate);
    /// faults with <see cref="DomainError"/> when the aggregate refuses it, or with the store's error.
    /// </summary>
    public Task<Decision> SendAsync(IProcessCommand command)
    {
        var pending = new Pending(command);
        var partition = _partitions[(int)((uint)StableHash(command.ProcessId.Value) % (uint)_partitions.Length)];
        if (!partition.Inbox.Writer.TryWrite(pending))
            throw new InvalidOperationException("The process runtime is shutting down and accepts no more commands.");
        return pending.Outcome.Task;
    }

    /// <summary>
    /// Lets go of the aggregates of the processes <paramref name="which"/> names, once every command queued before
    /// this call is decided and stored: an orchestrator handing a shard on, or taking one, so that what it keeps in
    /// memory is never behind what another owner wrote meanwhile. A later command reloads them from the store.
    /// </summary>
    public Task ForgetAsync(Func<ProcessId, bool> which) =>
        Task.WhenAll(_partitions.Select(partition =>
        {
            var pending = new Pending(null!, which);
            if (!partition.Inbox.Writer.TryWrite(pending)) return Task.CompletedTask; // shutting down: nothing kept matters
            return (Task)pending.Outcome.Task;
        }));

    public async ValueTask DisposeAsync()
    {
        foreach (var partition in _partitions) partition.Inbox.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }

    // string.GetHashCode is randomised per process; any stable spread will do.
    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text) hash = (hash ^ c) * 16777619;
            return hash;
        }
    }

    /// <param name="Forget">Not a command: which aggregates to let go of (see <see cref="ForgetAsync"/>).</param>
    private sealed record Pending(IProcessCommand Command, Func<ProcessId, bool>? Forget = null)
    {
        public TaskCompletionSource<Decision> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Partition(IEventStore store, TimeProvider clock, ProcessRuntimeOptions options, RuntimeCounters counters)
    {
        private readonly Dictionary<ProcessId, ProcessState> _states = [];
        private int _letGoAbove = options.MaxEndedInMemory;
        private int _inMemory;

        public int InMemory => Volatile.Read(ref _inMemory);

        public Channel<Pending> Inbox { get; } = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

        public async Task RunAsync()
        {
            var batch = new List<Pending>(options.MaxBatch);
            while (await Inbox.Reader.WaitToReadAsync())
            {
                Pending? forget = null;
                while (batch.Count < options.MaxBatch && Inbox.Reader.TryRead(out var pending))
                {
                    if (pending.Forget is not null)
                    {
                        forget = pending;
                        break;
                    }
                    batch.Add(pending);
                }
                if (batch.Count > 0) await ExecuteAsync(batch, conflicts: 0);
                batch.Clear();
                if (forget is not null)
                {
                    foreach (var id in _states.Keys.Where(forget.Forget!).ToList()) _states.Remove(id);
                    forget.Outcome.TrySetResult(null!);
                }
                if (_states.Count > _letGoAbove) LetEndedGo();
                Volatile.Write(ref _inMemory, _states.Count);
            }
        }

        /// <summary>Forgets the ended processes; looks again only once as many more are in memory, not after every batch.</summary>
        private void LetEndedGo()
        {
            foreach (var (id, state) in _states)
                if (state.HasEnded) _states.Remove(id);
            _letGoAbove = _states.Count + options.MaxEndedInMemory;
        }

        private async Task ExecuteAsync(IReadOnlyList<Pending> batch, int conflicts)
        {
            var appends = new Dictionary<ProcessId, StreamAppend>();
            var decided = new List<(Pending Pending, Decision Decision)>(batch.Count);
            foreach (var pending in batch)
            {
                counters.Command();
                var id = pending.Command.ProcessId;
                ProcessState state;
                Decision decision;
                try
                {
                    state = await StateOf(id);
                    decision = await DecideAsync(state, pending.Command, catchUp: !options.SingleWriter && !appends.ContainsKey(id));
                }
                catch (Exception error)
                {
                    if (error is DomainError) counters.Reject();
                    pending.Outcome.TrySetException(error);
                    continue;
                }
                if (decision.Events.Count > 0)
                {
                    if (!appends.TryGetValue(id, out var append))
                        appends[id] = append = new StreamAppend(ProcessStreams.StreamOf(id), state.Version, new List<IProcessEvent>());
                    var events = (List<IProcessEvent>)append.Events;
                    foreach (var e in decision.Events)
                    {
                        ProcessState.Evolve(state, e);
                        events.Add(e);
                    }
                }
                decided.Add((pending, decision));
            }

            if (appends.Count > 0 && !await TryAppendAsync(appends, decided, conflicts)) return;

            foreach (var (pending, decision) in decided)
            {
                if (decision.Dropped is { IsDuplicate: true }) counters.Duplicate();
                foreach (var confirmed in decision.Events.OfType<TaskConfirmed>()) counters.Confirmed(confirmed.Metrics);
                pending.Outcome.TrySetResult(decision);
            }
        }

        private async Task<bool> TryAppendAsync(Dictionary<ProcessId, StreamAppend> appends, List<(Pending Pending, Decision Decision)> decided, int conflicts)
        {
            try
            {
                await store.AppendAsync(appends.Values.ToArray());
                counters.Appended(appends.Values.Sum(a => a.Events.Count));
                foreach (var append in appends.Values) EngineTelemetry.Stored(append.Events);
                return true;
            }
            catch (Exception error)
            {
                // The states in memory hold events that were not stored: forget them, reload on next use.
                foreach (var id in appends.Keys) _states.Remove(id);
                if (error is ConcurrencyException && conflicts < options.MaxConflictRetries)
                {
                    counters.Conflict();
                    foreach (var (pending, _) in decided) await ExecuteAsync([pending], conflicts + 1);
                }
                else
                {
                    foreach (var (pending, _) in decided) pending.Outcome.TrySetException(error);
                }
                return false;
            }
        }

        /// <summary>Decides on the state in memory; a drop or a refusal is decided again if the stream has moved on since.</summary>
        private async Task<Decision> DecideAsync(ProcessState state, IProcessCommand command, bool catchUp)
        {
            Decision decision;
            try
            {
                decision = ProcessDecider.Decide(state, command, clock.GetUtcNow());
            }
            catch (DomainError) when (catchUp)
            {
                if (!await CaughtUpAsync(state, command.ProcessId)) throw;
                return ProcessDecider.Decide(state, command, clock.GetUtcNow());
            }
            if (!catchUp || decision.Events.Count > 0 || !await CaughtUpAsync(state, command.ProcessId)) return decision;
            return ProcessDecider.Decide(state, command, clock.GetUtcNow());
        }

        /// <summary>Folds in events another writer appended after the state's version; true when there were any.</summary>
        private async Task<bool> CaughtUpAsync(ProcessState state, ProcessId id)
        {
            var before = state.Version;
            await foreach (var stored in store.ReadStreamAsync(ProcessStreams.StreamOf(id), state.Version))
                ProcessState.Evolve(state, stored.Event);
            if (state.Version > before) counters.CatchUp();
            return state.Version > before;
        }

        private async Task<ProcessState> StateOf(ProcessId id)
        {
            // An archived process's stream is removed by the prune, behind the mailbox's back: read it again, maybe gone.
            if (_states.TryGetValue(id, out var state) && !state.IsArchived) return state;
            state = await store.LoadAsync(id);
            _states[id] = state;
            return state;
        }
    }
}
