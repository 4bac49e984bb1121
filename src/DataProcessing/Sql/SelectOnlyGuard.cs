using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Lets through exactly one SELECT-like query, decided by DuckDB's own parser rather than by pattern
/// matching: json_serialize_sql serialises only SELECT statements (SELECT, WITH, FROM-first, VALUES,
/// set operations) and reports every statement it parsed, so COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA,
/// CREATE and a second statement are all refused before anything runs.
/// </summary>
internal static partial class SelectOnlyGuard
{
    public static void Check(DuckDBConnection connection, string sql, string what)
    {
        if (string.IsNullOrWhiteSpace(sql)) throw StepFailure.Permanent($"The {what} is empty: give one SELECT query.");

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_serialize_sql($sql::VARCHAR)";
        command.Parameters.Add(new DuckDBParameter("sql", sql));
        using var verdict = JsonDocument.Parse((string)command.ExecuteScalar()!);
        var json = verdict.RootElement;

        if (json.GetProperty("error").GetBoolean())
        {
            var type = json.TryGetProperty("error_type", out var t) ? t.GetString() : null;
            var message = json.TryGetProperty("error_message", out var m) ? m.GetString() : "unknown error";
            throw type == "parser"
                ? StepFailure.Permanent($"The {what} does not parse: Parser Error: {message}")
                : NotASelect(sql, what);
        }

        var statements = json.GetProperty("statements").GetArrayLength();
        if (statements != 1)
            throw StepFailure.Permanent(statements == 0
                ? $"The {what} holds no statement: give one SELECT query."
                : $"The {what} holds {statements} statements: exactly one SELECT query is allowed.");
    }

    private static StepFailure NotASelect(string sql, string what)
    {
        var keyword = FirstKeyword().Match(sql) is { Success: true } match ? match.Groups[1].Value.ToUpperInvariant() : null;
        var found = keyword switch
        {
            null => "it is not a query",
            "SELECT" or "WITH" or "FROM" or "VALUES" or "TABLE" => "one of its statements is not a SELECT query",
            _ => $"'{keyword}' is not allowed",
        };
        return StepFailure.Permanent(
            $"The {what} is refused: {found}; a step runs exactly one SELECT query " +
            "(SELECT, WITH, FROM, VALUES...), never COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, CREATE or other statements.");
    }

    /// <summary>Only to name the offending statement in the message; the decision itself is DuckDB's.</summary>
    [GeneratedRegex(@"^(?:\s|--[^\n]*\n|/\*.*?\*/)*([A-Za-z_]+)", RegexOptions.Singleline)]
    private static partial Regex FirstKeyword();
}
