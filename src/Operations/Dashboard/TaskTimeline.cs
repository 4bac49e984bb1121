using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Processes;

namespace Orchestration.Operations.Dashboard;

/// <summary>
/// A process's task attempts over time, one lane per worker (the Gantt view), folded from its recorded events: when each
/// attempt was queued (its <see cref="TaskScheduled"/> was stored), when a worker started it, and how it ended. Fed one
/// event at a time, so a page following a running process folds only what is new.
/// </summary>
public sealed class TaskTimeline
{
    /// <summary>The lane of attempts no worker has started yet.</summary>
    public const string QueueLane = "(queued)";

    /// <summary>The lane of tasks confirmed with an earlier task's result (memoized: nothing ran).</summary>
    public const string ReusedLane = "(reused)";

    private readonly Dictionary<(TaskId, int), Attempt> _attempts = [];
    private readonly Dictionary<TaskId, List<Attempt>> _byTask = [];

    private sealed class Attempt(string task, string step, int partition, int number, bool copy, DateTimeOffset queued)
    {
        public string Task { get; } = task;
        public string Step { get; } = step;
        public int Partition { get; } = partition;
        public int Number { get; } = number;
        public bool Copy { get; } = copy;
        public DateTimeOffset Queued { get; } = queued;
        public DateTimeOffset? Started { get; set; }
        public DateTimeOffset? Ended { get; set; }
        public string? Worker { get; set; }
        public string Outcome { get; set; } = "queued";
        public bool Open => Ended is null;
        public string Lane => Outcome == "reused" ? ReusedLane : Worker ?? QueueLane;
    }

    public void Apply(StoredEvent stored)
    {
        switch (stored.Event)
        {
            case TaskScheduled s:
                var attempt = new Attempt(s.TaskId.Value, s.Step, s.Partition, s.Attempt, s.CopyOf is not null, stored.RecordedAt);
                _attempts[(s.TaskId, s.Attempt)] = attempt;
                (_byTask.TryGetValue(s.TaskId, out var list) ? list : _byTask[s.TaskId] = []).Add(attempt);
                break;
            case TaskStartRecorded s when Find(s.TaskId, s.Attempt) is { Open: true } started:
                // A second start on another worker is the broker handing the attempt on: its time starts again there.
                (started.Started, started.Worker, started.Outcome) = (s.At, s.Worker.Value, "running");
                break;
            case TaskConfirmed c when Find(c.TaskId, c.Attempt) is { } confirmed:
                confirmed.Worker = c.Worker.Value;
                confirmed.Started ??= c.At - c.Metrics.Duration;
                End(confirmed, c.At, c.ReusedFrom is null ? "confirmed" : "reused");
                // The task is done: its other attempts still open (a straggler's copy, or the original) lost the race.
                foreach (var other in _byTask[c.TaskId].Where(a => a.Open)) End(other, c.At, "superseded");
                break;
            case TaskAttemptFailed f when Find(f.TaskId, f.Attempt) is { Open: true } failed:
                failed.Worker = f.Worker.Value;
                End(failed, f.At, f.TimedOut ? "timed-out" : "failed");
                break;
            case TaskTimedOut t when Find(t.TaskId, t.Attempt) is { Open: true } late:
                End(late, t.At, "timed-out");
                break;
            case ProcessCancelled or ProcessFailed:
                foreach (var open in _attempts.Values.Where(a => a.Open)) End(open, At(stored.Event) ?? stored.RecordedAt, "stopped");
                break;
        }
    }

    private static DateTimeOffset? At(IProcessEvent e) => e switch { ProcessCancelled c => c.At, ProcessFailed f => f.At, _ => null };

    private Attempt? Find(TaskId task, int attempt) => _attempts.GetValueOrDefault((task, attempt));

    private static void End(Attempt attempt, DateTimeOffset at, string outcome) => (attempt.Ended, attempt.Outcome) = (at, outcome);

    /// <summary>
    /// The timeline as the page draws it: every attempt as a bar when there are at most <paramref name="maxBars"/>;
    /// otherwise each lane's time cut into <paramref name="bins"/> bins with how busy it was and what failed there, so
    /// that 100,000 attempts cost the page a few hundred rectangles. Open attempts run until <paramref name="now"/>.
    /// </summary>
    public TimelineView View(DateTimeOffset now, int maxBars, int bins)
    {
        var attempts = _attempts.Values;
        var outcomes = attempts.GroupBy(a => a.Outcome).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        if (attempts.Count == 0) return new TimelineView(now, now, 0, outcomes, [], null, null);
        var from = attempts.Min(a => a.Queued);
        var to = attempts.Max(a => a.Ended ?? now);
        if (to <= from) to = from + TimeSpan.FromMilliseconds(1);
        var lanes = attempts.Select(a => a.Lane).Distinct(StringComparer.Ordinal)
            .OrderBy(l => l.StartsWith('(') ? 1 : 0).ThenBy(l => l, StringComparer.Ordinal).ToList();
        if (attempts.Count <= maxBars)
        {
            var bars = attempts.OrderBy(a => a.Queued).ThenBy(a => a.Task, StringComparer.Ordinal)
                .Select(a => new AttemptBar(a.Task, a.Step, a.Partition, a.Number, a.Copy, a.Lane, a.Queued, a.Started, a.Ended, a.Outcome)).ToList();
            return new TimelineView(from, to, attempts.Count, outcomes, lanes, bars, null);
        }
        var width = (to - from).TotalMilliseconds / bins;
        var binned = lanes.ToDictionary(l => l, _ => (Busy: new double[bins], Failed: new int[bins]), StringComparer.Ordinal);
        foreach (var a in attempts)
        {
            var (busy, failed) = binned[a.Lane];
            var (start, end) = ((a.Started ?? a.Queued) - from, (a.Ended ?? now) - from);
            // Busy: how many attempts ran at once on average over the bin (the lane's share of each bin it overlaps).
            for (var b = Bin(start.TotalMilliseconds); b <= Bin(end.TotalMilliseconds); b++)
                busy[b] += Math.Max(0, Math.Min(end.TotalMilliseconds, (b + 1) * width) - Math.Max(start.TotalMilliseconds, b * width)) / width;
            if (a.Outcome is "failed" or "timed-out") failed[Bin(end.TotalMilliseconds)]++;
        }
        return new TimelineView(from, to, attempts.Count, outcomes, lanes, null,
            lanes.Select(l => new LaneBins(l, binned[l].Busy.Select(v => Math.Round(v, 2)).ToList(), binned[l].Failed)).ToList());

        int Bin(double ms) => Math.Clamp((int)(ms / width), 0, bins - 1);
    }
}

/// <summary>One attempt of a task as a bar: queued from <paramref name="Queued"/>, run on <paramref name="Lane"/> from <paramref name="Started"/> to <paramref name="Ended"/>.</summary>
/// <param name="Copy">A speculative copy of a straggler.</param>
/// <param name="Outcome">queued, running, confirmed, reused, failed, timed-out, superseded (another attempt won) or stopped (the process ended).</param>
public sealed record AttemptBar(string Task, string Step, int Partition, int Attempt, bool Copy, string Lane, DateTimeOffset Queued, DateTimeOffset? Started, DateTimeOffset? Ended, string Outcome);

/// <summary>A lane's time in equal bins: how many attempts ran at once on average in each, and how many failed or timed out there.</summary>
public sealed record LaneBins(string Lane, IReadOnlyList<double> Busy, IReadOnlyList<int> Failed);

/// <summary>The timeline from <paramref name="From"/> to <paramref name="To"/>: either every attempt (<paramref name="Bars"/>) or, past the page's limit, each lane in bins (<paramref name="Bins"/>).</summary>
public sealed record TimelineView(DateTimeOffset From, DateTimeOffset To, int Attempts, IReadOnlyDictionary<string, int> Outcomes, IReadOnlyList<string> Lanes,
    IReadOnlyList<AttemptBar>? Bars, IReadOnlyList<LaneBins>? Bins);
