namespace Orchestration.Runtime;

/// <summary>
/// How many of a step's tasks share one message to the workers. A message costs the broker, the worker and the
/// orchestrator more than a no-op task costs to run, so tasks known to be short travel together; but a pack runs in
/// one slot, one task after another, so a pack of long tasks would hold work that idle workers could take. The rule:
/// one task a message until <see cref="Learned"/> of the step's attempts have run; then as many as its typical attempt
/// (the median of the last <see cref="Remembered"/>) fits in <see cref="Budget"/> (at most <see cref="MostPerMessage"/>),
/// and never so many that the step's tasks in the queue leave a live slot fewer than two messages. A step of long tasks,
/// or of a few, is always sent one task a message. The median, not the mean: each worker's first task pays its warm-up
/// (code compiled, DuckDB loaded), up to a thousand times a short task's time, and a mean over the first attempts of a
/// step on a fresh pool then says its tasks are long when they are not (a skewed partition or two among short tasks,
/// which the median overlooks, is what handing a pack's rest back after a second is for).
/// To learn before the whole step is queued unpacked, a step's window (<see cref="Window"/>) is small until its tasks
/// have shown themselves short: two tasks for each live slot, so every slot is busy (and one more each waits) while the
/// attempts show how long the step's tasks take; one of short tasks waits one round trip. The probe lasts at most
/// <see cref="ProbeFor"/>: tasks that have not shown themselves short by then are not, and the whole window goes (so the
/// queue's depth, which the pool's scaler reads, shows a step of long tasks within a second). Short means two or more
/// would fit in the budget; it is not decided at the eighth attempt, as a fresh pool's first attempts are all slow.
/// </summary>
public sealed class TaskPacking
{
    public const int MostPerMessage = 32;
    public const int Learned = 8;
    public const int Remembered = 32;
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan ProbeFor = TimeSpan.FromSeconds(1);

    private readonly long[] _recent = new long[Remembered]; // ticks of the last attempts, a ring
    private int _ran;
    private int _fitting = -1; // derived from _recent, on demand: Window is asked once per task admitted
    private DateTimeOffset? _probing;

    /// <summary>One of the step's attempts ran for <paramref name="duration"/> (as its worker measured it) and was confirmed.</summary>
    public void Ran(TimeSpan duration)
    {
        _recent[_ran % Remembered] = duration.Ticks;
        _ran++;
        _fitting = -1;
    }

    private bool IsLearned => _ran >= Learned;

    private bool IsShort => IsLearned && Fitting > 1;

    /// <summary>How many of the step's typical attempts (the median of the remembered ones) fit in the budget.</summary>
    private int Fitting
    {
        get
        {
            if (_fitting >= 0) return _fitting;
            var count = Math.Min(_ran, Remembered);
            Span<long> known = stackalloc long[Remembered];
            _recent.AsSpan(0, count).CopyTo(known);
            known[..count].Sort();
            var typical = Math.Max(known[count / 2], TimeSpan.TicksPerMillisecond / 10); // a task costs at least 0.1 ms
            return _fitting = (int)Math.Min(MostPerMessage, Budget.Ticks / typical);
        }
    }

    /// <summary>How many of the step's attempts may be in the queue at once: <paramref name="window"/> once its tasks are shown short.</summary>
    /// <param name="liveSlots">The live workers' slots (0: unknown, so the window is not narrowed).</param>
    public int Window(int window, int liveSlots, DateTimeOffset now)
    {
        if (IsShort || liveSlots <= 0) return window;
        _probing ??= now;
        return now - _probing >= ProbeFor ? window : Math.Min(window, Math.Max(Learned, 2 * liveSlots));
    }

    /// <param name="queued">How many of the step's tasks are in the queue, with those being sent now.</param>
    /// <param name="liveSlots">The live workers' slots (0: unknown, so nothing is packed).</param>
    public int PerMessage(int queued, int liveSlots)
    {
        if (!IsLearned || liveSlots <= 0) return 1;
        return Math.Max(1, Math.Min(Fitting, queued / (2 * liveSlots)));
    }
}
