using System.Diagnostics;
using MassTransit;
using Orchestration.Contracts.Messages;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// A worker's results on their way to the orchestrator, gathered per destination queue (natural batching): a result
/// goes at once when nothing is being sent there, and the results that end while a send is in flight go together in
/// the next <see cref="TaskResults"/> (a result sent alone goes as itself). So an idle worker adds no delay, and a busy one sends one message for many results.
/// Each caller learns that its result is on the broker (confirmed) before it acknowledges its task: nothing is lost if
/// the worker dies, and a result sent twice is a duplicate the aggregate drops.
/// </summary>
public sealed class ResultBatches(ISendEndpointProvider endpoints)
{
    /// <summary>At most this many results in one message, so a message stays small (outputs and metadata ride along).</summary>
    public const int MostPerMessage = 128;

    /// <summary>
    /// How long one send may wait for the broker's confirm. Past it the send fails, and so do the tasks whose results it
    /// carried (the broker hands them out again; a result that did arrive makes a duplicate the aggregate drops).
    /// </summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Uri, Destination> _destinations = new();

    /// <summary>Sends <paramref name="outcome"/> to <paramref name="address"/>; completes once the broker has it.</summary>
    public Task SendAsync(Uri address, ReportedOutcome outcome) => SendAsync(address, [outcome]);

    /// <summary>Sends <paramref name="outcomes"/> together (those of one pack of tasks); completes once the broker has them.</summary>
    public Task SendAsync(Uri address, IReadOnlyCollection<ReportedOutcome> outcomes) => outcomes.Count == 0
        ? Task.CompletedTask
        : _destinations.GetOrAdd(address, a => new Destination(endpoints, a)).SendAsync(outcomes);

    /// <summary>The results waiting for one queue, and whether a send to it is in flight.</summary>
    private sealed class Destination(ISendEndpointProvider endpoints, Uri address)
    {
        private readonly Lock _lock = new();
        private List<ReportedOutcome> _waiting = [];
        private TaskCompletionSource _waitingSent = NewSignal();
        private bool _sending;

        public async Task SendAsync(IReadOnlyCollection<ReportedOutcome> outcomes)
        {
            Task? gathered = null;
            lock (_lock)
            {
                if (_sending)
                {
                    _waiting.AddRange(outcomes);
                    gathered = _waitingSent.Task;
                }
                else _sending = true;
            }
            if (gathered is not null)
            {
                await gathered;
                return;
            }
            // Nothing in flight: the caller sends its own at once (no hop to another thread), then hands on what gathered meanwhile.
            try
            {
                await SendBatchAsync(outcomes);
            }
            finally
            {
                SendGathered();
            }
        }

        private void SendGathered()
        {
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }
            }
            // The gathered belong to no one task's trace (each outcome carries its own): the loop does not inherit this caller's.
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(SendWaitingAsync);
        }

        private async Task SendWaitingAsync()
        {
            while (true)
            {
                List<ReportedOutcome> batch;
                TaskCompletionSource sent;
                lock (_lock)
                {
                    if (_waiting.Count == 0)
                    {
                        _sending = false;
                        return;
                    }
                    (batch, _waiting, sent, _waitingSent) = (_waiting, [], _waitingSent, NewSignal());
                }
                try
                {
                    await SendBatchAsync(batch);
                    sent.SetResult();
                }
                catch (Exception failed)
                {
                    sent.SetException(failed); // each task of the batch fails its consume: the broker hands it out again
                }
            }
        }

        /// <summary>One result goes as itself (its trace in the message's headers), several as <see cref="TaskResults"/>.</summary>
        private async Task SendBatchAsync(IReadOnlyCollection<ReportedOutcome> outcomes)
        {
            // A send caught by a broker restart may never be confirmed; it must fail, not hold every later result behind it.
            using var limit = new CancellationTokenSource(SendTimeout);
            var endpoint = await endpoints.GetSendEndpoint(address);
            if (outcomes.Count == 1 && outcomes.First() is var alone)
            {
                await (alone.Completed is { } completed ? endpoint.Send(completed, limit.Token) : endpoint.Send(alone.Failed!, limit.Token));
                return;
            }
            foreach (var chunk in outcomes.Chunk(MostPerMessage))
                await endpoint.Send(new TaskResults(chunk), limit.Token);
        }

        private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The trace parent of the current span (the task's consume span), for the orchestrator's confirmation.</summary>
    public static string? CurrentTraceParent() => Activity.Current?.Id;
}
