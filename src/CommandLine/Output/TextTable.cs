namespace Orchestration.CommandLine.Output;

/// <summary>
/// A table as plain, aligned lines that fit a width: never a wrapped cell, in a narrow terminal or a CI log. When the
/// columns are too wide, the ones that may shrink give way first (the highest <c>shrink</c> first), their cells cut
/// with an ellipsis; the rest keep their whole text.
/// </summary>
public sealed class TextTable
{
    private const string Gap = "  ";
    private readonly List<(string Header, bool Right, int Shrink)> _columns = [];
    private readonly List<string[]> _rows = [];

    /// <param name="right">Aligned right (numbers).</param>
    /// <param name="shrink">0: never cut; otherwise the order in which columns give way, highest first.</param>
    public TextTable Column(string header, bool right = false, int shrink = 0)
    {
        _columns.Add((header, right, shrink));
        return this;
    }

    public TextTable Row(params string[] cells)
    {
        if (cells.Length != _columns.Count) throw new ArgumentException($"A row of {_columns.Count} cells was expected, not {cells.Length}.", nameof(cells));
        _rows.Add(cells.Select(c => c.ReplaceLineEndings(" ")).ToArray());
        return this;
    }

    public IEnumerable<string> Lines(int width)
    {
        var widths = _columns.Select((c, i) => _rows.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        var excess = widths.Sum() + Gap.Length * (widths.Length - 1) - width;
        foreach (var i in Enumerable.Range(0, _columns.Count).Where(i => _columns[i].Shrink > 0).OrderByDescending(i => _columns[i].Shrink))
        {
            if (excess <= 0) break;
            var floor = Math.Max(_columns[i].Header.Length, 6);
            var cut = Math.Min(excess, Math.Max(0, widths[i] - floor));
            widths[i] -= cut;
            excess -= cut;
        }
        yield return Line(_columns.Select(c => c.Header).ToArray(), widths);
        foreach (var row in _rows) yield return Line(row, widths);
    }

    public void Print(int width)
    {
        foreach (var line in Lines(width)) Console.WriteLine(line);
    }

    private string Line(string[] cells, int[] widths) =>
        string.Join(Gap, cells.Select((cell, i) =>
        {
            var text = cell.Length <= widths[i] ? cell : cell[..Math.Max(0, widths[i] - 1)] + "…";
            return _columns[i].Right ? text.PadLeft(widths[i]) : i == cells.Length - 1 ? text : text.PadRight(widths[i]);
        })).TrimEnd();
}

/// <summary>How wide the output may be: the terminal's width (or <c>COLUMNS</c>), 120 when written to a file or pipe, unlimited with <c>--wide</c>.</summary>
public static class OutputWidth
{
    public static int Of(bool wide)
    {
        if (wide) return int.MaxValue / 2;
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0) return columns;
        if (!Console.IsOutputRedirected)
            try { if (Console.WindowWidth > 0) return Console.WindowWidth; } catch (IOException) { }
        return 120;
    }
}

/// <summary>Times and durations as a narrow column shows them: <c>12s ago</c>, <c>3.4 s</c>.</summary>
public static class ShortTime
{
    public static string Ago(DateTimeOffset? at, DateTimeOffset now) => at is not { } time ? "" : (now - time) switch
    {
        var d when d < TimeSpan.FromMinutes(1) => $"{Math.Max(0, (int)d.TotalSeconds)}s ago",
        var d when d < TimeSpan.FromHours(1) => $"{(int)d.TotalMinutes}m ago",
        var d when d < TimeSpan.FromDays(1) => $"{(int)d.TotalHours}h ago",
        var d => $"{(int)d.TotalDays}d ago",
    };

    public static string Duration(TimeSpan d) => d switch
    {
        _ when d < TimeSpan.FromSeconds(1) => $"{d.TotalMilliseconds:0} ms",
        _ when d < TimeSpan.FromMinutes(1) => $"{d.TotalSeconds:0.0} s",
        _ when d < TimeSpan.FromHours(1) => $"{(int)d.TotalMinutes}m{d.Seconds:00}s",
        _ => $"{(int)d.TotalHours}h{d.Minutes:00}m",
    };
}
