namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Turns a DuckDB error into a <see cref="StepFailure"/>. DuckDB.NET's ErrorType is not filled in for errors
/// raised while a statement is prepared (a Permission Error arrives as "Invalid"), so the decision reads the
/// "&lt;Kind&gt; Error:" prefix DuckDB puts on every message.
/// </summary>
internal static class DuckDbFailures
{
    public static StepFailure From(string duckDbMessage, string what, string scratchRoot, Exception? error = null)
    {
        var text = duckDbMessage.Trim();
        if (text.StartsWith("Permission Error", StringComparison.Ordinal))
            return StepFailure.Permanent(
                $"The {what} was denied by the sandbox (a step may read and write only under '{scratchRoot}', with no extensions): {text}", error);
        return IsTransient(text)
            ? new StepFailure($"The {what} failed for a reason another attempt may not meet: {text}", retryable: true, error)
            : StepFailure.Permanent($"The {what} failed: {text}", error);
    }

    /// <summary>
    /// Memory and disk trouble depend on the worker, not the step, so a new attempt (maybe elsewhere) can pass.
    /// A missing file named by the SQL is an IO Error too, but it will be missing next time as well.
    /// INTERNAL/FATAL errors leave DuckDB unsure of itself: retry, on a fresh sandbox.
    /// </summary>
    private static bool IsTransient(string text) =>
        text.StartsWith("Out of Memory Error", StringComparison.Ordinal)
        || text.StartsWith("INTERNAL Error", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("FATAL Error", StringComparison.OrdinalIgnoreCase)
        || (text.StartsWith("IO Error", StringComparison.Ordinal) && !text.Contains("No files found", StringComparison.Ordinal));
}
