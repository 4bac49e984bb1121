namespace Orchestration.Runtime;

/// <summary>
/// How many of a step's tasks share one message to the workers. A message costs the broker, the worker and the
/// orchestrator more than a no-op task costs to run, so tasks known to be short travel together; but a pack runs in
/// one slot, one task after another, so a pack of long tasks would hold work that idle workers could take. The rule:
/// one task a message until <see cref="Learned"/> of the step's attempts have run; then as many as run, on average, in
/// <see cref="Budget"/> (at most <see cref="MostPerMessage"/>), and never so many that the step's tasks in the queue leave
/// a live slot fewer than two messages. A step of long tasks, or of a few, is always sent one task a message.
/// To learn before the whole step is queued unpacked, a step's window (<see cref="Window"/>) is small until then: two
/// tasks for each live slot, so every slot is busy (and one more each waits) while the first attempts show how long
/// the step's tasks take; one of short tasks waits one round trip. The probe lasts at most <see cref="ProbeFor"/>: tasks
/// that have not shown themselves short by then are not, and the whole window goes (so the queue's depth, which the
/// pool's scaler reads, shows a step of long tasks within a second).
/// </summary>
public sealed class TaskPacking
{
    public const int MostPerMessage = 32;
    public const int Learned = 8;
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan ProbeFor = TimeSpan.FromSeconds(1);

    private int _ran;
    private TimeSpan _ranFor;
    private DateTimeOffset? _probing;

    /// <summary>One of the step's attempts ran for <paramref name="duration"/> (as its worker measured it) and was confirmed.</summary>
    public void Ran(TimeSpan duration)
    {
        _ran++;
        _ranFor += duration;
    }

    private bool IsLearned => _ran >= Learned;

    /// <summary>How many of the step's attempts may be in the queue at once: <paramref name="window"/> once learned.</summary>
    /// <param name="liveSlots">The live workers' slots (0: unknown, so the window is not narrowed).</param>
    public int Window(int window, int liveSlots, DateTimeOffset now)
    {
        if (IsLearned || liveSlots <= 0) return window;
        _probing ??= now;
        return now - _probing >= ProbeFor ? window : Math.Min(window, Math.Max(Learned, 2 * liveSlots));
    }

    /// <param name="queued">How many of the step's tasks are in the queue, with those being sent now.</param>
    /// <param name="liveSlots">The live workers' slots (0: unknown, so nothing is packed).</param>
    public int PerMessage(int queued, int liveSlots)
    {
        if (!IsLearned || liveSlots <= 0) return 1;
        var average = Math.Max(_ranFor.Ticks / _ran, TimeSpan.TicksPerMillisecond / 10); // a task costs at least 0.1 ms
        var fitting = (int)Math.Min(MostPerMessage, Budget.Ticks / average);
        return Math.Max(1, Math.Min(fitting, queued / (2 * liveSlots)));
    }
}
