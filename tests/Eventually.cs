namespace Orchestration.Tests;

/// <summary>Waits for a condition with a deadline, polling: never a bare sleep as synchronisation.</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Waited {deadline.TotalSeconds:0} s for: {what}");
            await Task.Delay(50);
        }
    }

    public static async Task True(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Waited {deadline.TotalSeconds:0} s for: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>The first non-null value <paramref name="get"/> returns before the deadline.</summary>
    public static async Task<T> Value<T>(Func<Task<T?>> get, TimeSpan deadline, string what) where T : class
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            if (await get() is { } value) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Waited {deadline.TotalSeconds:0} s for: {what}");
            await Task.Delay(50);
        }
    }
}
