using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestration.Retention;

/// <summary>
/// When "ended before" is: an age (<c>7d</c>, <c>12h</c>, <c>1d12h</c>, <c>30m</c>, <c>0s</c>: that long before now) or a
/// time (<c>2026-11-30</c>, <c>2026-11-30T08:00:00Z</c>; without an offset, UTC).
/// </summary>
public static partial class Cutoff
{
    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")]
    private static partial Regex Age();

    public static bool TryParseAge(string text, out TimeSpan age)
    {
        age = default;
        var match = Age().Match(text.Trim());
        if (!match.Success || text.Trim().Length == 0) return false;
        int Part(int group) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        try { age = new TimeSpan(Part(1), Part(2), Part(3), Part(4)); }
        catch (ArgumentOutOfRangeException) { return false; }
        return true;
    }

    /// <summary>The time <paramref name="text"/> means at <paramref name="now"/>; throws <see cref="FormatException"/> saying what is accepted.</summary>
    public static DateTimeOffset Parse(string text, DateTimeOffset now)
    {
        if (TryParseAge(text, out var age)) return now - age;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)) return time;
        throw new FormatException(
            $"'{text}' is neither an age (e.g. 7d, 12h, 1d12h, 30m, 0s) nor a time (e.g. 2026-11-30 or 2026-11-30T08:00:00Z).");
    }
}
