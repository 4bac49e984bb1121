using Orchestration.Contracts;
using Orchestration.Graphs;

namespace Orchestration.Runtime;

/// <summary>
/// Picks the least busy live worker a selector matches (and that has the task's C# step at its version), for a task placed on any of them. Busy is the share of its
/// slots in use: what its last beat said it runs, plus what was sent to it since that beat (a beat every 2 s is too
/// slow a signal for a burst of tasks). Ties go to the first by id, so a choice is reproducible.
/// </summary>
internal sealed class WorkerChooser
{
    private readonly Dictionary<WorkerId, (DateTimeOffset Beat, int Sent)> _sentSinceBeat = [];

    public WorkerId? Choose(WorkerSelector selector, StepWork work, IReadOnlyList<LiveWorker> live)
    {
        LiveWorker? best = null;
        var lowest = double.MaxValue;
        foreach (var worker in live)
        {
            if (!selector.Matches(worker.Labels) || !work.IsRunnableWith(worker.Steps)) continue;
            var load = (worker.Running.Count + SentSinceBeat(worker)) / (double)Math.Max(1, worker.Slots);
            if (load < lowest) (best, lowest) = (worker, load);
        }
        if (best is null) return null;
        _sentSinceBeat[best.Id] = (best.LastSeen, SentSinceBeat(best) + 1);
        return best.Id;
    }

    private int SentSinceBeat(LiveWorker worker) =>
        _sentSinceBeat.TryGetValue(worker.Id, out var sent) && sent.Beat == worker.LastSeen ? sent.Sent : 0;
}
