using System.Text.RegularExpressions;

namespace Orchestration.DataProcessing.Blobs;

/// <summary>
/// Blob names are relative paths of safe segments: no '..', no absolute paths, no backslashes, so a name that
/// came from a user can never escape its container or directory.
/// </summary>
public static partial class BlobNames
{
    [GeneratedRegex("^[A-Za-z0-9_=+-][A-Za-z0-9._=+-]{0,199}$")]
    private static partial Regex SafeSegment();

    public static string Validate(string name)
    {
        var segments = name.Split('/');
        var bad = segments.FirstOrDefault(s => !SafeSegment().IsMatch(s) || s is "." or "..");
        if (name.Length is 0 or > 1024 || bad is not null)
            throw new ArgumentException(
                $"Blob name '{name}' is not allowed: use relative paths of letters, digits and . _ - = + (no '..', no leading '/', segment '{bad}').", nameof(name));
        return name;
    }

    /// <summary>The deterministic name of a task attempt's output: rerunning the same attempt writes the same name.</summary>
    public static string ForOutput(Contracts.TaskId task, int attempt, string file) =>
        Validate($"tasks/{task.Value}/a{attempt}/{file}");
}
