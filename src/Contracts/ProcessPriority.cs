using System.Globalization;

namespace Orchestration.Contracts;

/// <summary>
/// How urgent a process is: its tasks overtake those of less urgent processes waiting in the same queue (RabbitMQ
/// priority queues, declared with <see cref="Highest"/> levels). The one rule for what a priority may be.
/// </summary>
public static class ProcessPriority
{
    public const int Normal = 0;
    public const int Highest = 9;

    /// <summary>Why <paramref name="priority"/> cannot be a process's priority, or null when it can.</summary>
    public static string? Problem(int priority) => priority is >= Normal and <= Highest ? null
        : string.Create(CultureInfo.InvariantCulture, $"Priority {priority} is out of range: give {Normal} (normal, the default) to {Highest} (most urgent).");
}
