using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Orchestration.Graphs;

/// <summary>
/// Which workers a step may run on, by their labels (<c>orch worker --label region=EU</c>). Terms separated by commas
/// outside parentheses must all hold: <c>k=v</c>, <c>k!=v</c> (or <c>!k=v</c>), <c>k in (a,b)</c>, <c>k notin (a,b)</c>
/// (or <c>!k in (a,b)</c>), <c>k</c> (the worker has the label) or <c>!k</c>. A negated term also holds for a worker without the label: <c>!country=US</c> takes a
/// worker that says nothing about its country. Stored as its canonical text, so a recorded graph reads back the same.
/// </summary>
[JsonConverter(typeof(WorkerSelectorJsonConverter))]
public sealed partial class WorkerSelector : IEquatable<WorkerSelector>
{
    private readonly IReadOnlyList<SelectorTerm> _terms;

    private WorkerSelector(IReadOnlyList<SelectorTerm> terms) => _terms = terms;

    public IReadOnlyList<SelectorTerm> Terms => _terms;

    /// <summary>Every worker: what a step placed nowhere may run on (never parsed from text, which may not be empty).</summary>
    public static readonly WorkerSelector Anyone = new([]);

    /// <summary>The label a selector of one <c>k=v</c> term names (e.g. <c>store=paris-1</c>), else null.</summary>
    public KeyValuePair<string, string>? SingleLabel =>
        _terms is [{ Negated: false, Values: [var value] } term] ? KeyValuePair.Create(term.Key, value) : null;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _terms.All(t => t.Matches(labels));

    /// <summary>Parses a selector; throws <see cref="FormatException"/> saying what is wrong and what a selector looks like.</summary>
    public static WorkerSelector Parse(string text)
    {
        var terms = SplitTerms(text ?? "").Select(t => ParseTerm(text!, t)).ToList();
        if (terms.Count == 0) throw Problem(text ?? "", "it is empty");
        return new WorkerSelector(terms);
    }

    public static bool TryParse(string text, out WorkerSelector? selector, out string? problem)
    {
        try
        {
            (selector, problem) = (Parse(text), null);
            return true;
        }
        catch (FormatException error)
        {
            (selector, problem) = (null, error.Message);
            return false;
        }
    }

    /// <summary>The canonical text: terms in the order given, <c>k=v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>.</summary>
    public override string ToString() => string.Join(",", _terms);

    public bool Equals(WorkerSelector? other) => other is not null && ToString() == other.ToString();
    public override bool Equals(object? obj) => Equals(obj as WorkerSelector);
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth < 0 || depth > 1) throw Problem(text, "its parentheses do not pair up");
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        if (depth != 0) throw Problem(text, "a '(' is never closed");
        if (text.Trim().Length > 0 || start > 0) yield return text[start..];
    }

    private static SelectorTerm ParseTerm(string selector, string raw)
    {
        var text = raw.Trim();
        if (text.Length == 0) throw Problem(selector, "it has an empty term (two commas in a row, or one at an end)");
        var negated = text.StartsWith('!') && !text.StartsWith("!=", StringComparison.Ordinal);
        if (negated) text = text[1..].TrimStart();

        var set = SetTerm().Match(text);
        if (set.Success)
        {
            var values = set.Groups["values"].Value.Split(',').Select(v => Value(selector, text, v)).Distinct().ToArray();
            return new SelectorTerm(Key(selector, set.Groups["key"].Value), values, negated ^ set.Groups["op"].Value == "notin");
        }
        if (LabelKey().IsMatch(text)) return new SelectorTerm(text, [], negated); // the worker has (or, negated, lacks) the label
        var equality = EqualityTerm().Match(text);
        if (!equality.Success)
            throw Problem(selector, $"'{raw.Trim()}' is not a term");
        var notEqual = equality.Groups["op"].Value == "!=";
        if (negated && notEqual) throw Problem(selector, $"'{raw.Trim()}' negates twice");
        return new SelectorTerm(Key(selector, equality.Groups["key"].Value), [Value(selector, text, equality.Groups["value"].Value)], negated || notEqual);
    }

    private static string Key(string selector, string key)
    {
        key = key.Trim();
        return LabelKey().IsMatch(key) ? key
            : throw Problem(selector, $"'{key}' is not a label name (letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }

    private static string Value(string selector, string term, string value)
    {
        value = value.Trim();
        return value.Length == 0 ? throw Problem(selector, $"'{term}' has an empty value")
            : value.IndexOfAny(['=', '!', '(', ')']) >= 0 ? throw Problem(selector, $"the value '{value}' in '{term}' may not hold '=', '!', '(' or ')'")
            : value;
    }

    private static FormatException Problem(string selector, string what) =>
        new($"Selector '{selector}': {what}. Write terms such as region=EU, region in (EU,NorthAmerica), !country=US, store!=paris-1 or node (has the label), separated by commas (all must hold).");

    [GeneratedRegex(@"^(?<key>[^\s=!(),]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetTerm();

    [GeneratedRegex(@"^(?<key>[^=!(),]+?)\s*(?<op>!=|=)\s*(?<value>.*)$")]
    private static partial Regex EqualityTerm();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex LabelKey();
}

/// <summary>
/// One term of a <see cref="WorkerSelector"/>: the label <see cref="Key"/> has one of <see cref="Values"/> (or, negated,
/// none of them); with no values, the worker has the label at all (or, negated, lacks it).
/// </summary>
public sealed record SelectorTerm(string Key, IReadOnlyList<string> Values, bool Negated)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        Negated != (labels.TryGetValue(Key, out var value) && (Values.Count == 0 || Values.Contains(value, StringComparer.Ordinal)));

    public override string ToString() => Values switch
    {
        [] => $"{(Negated ? "!" : "")}{Key}",
        [var one] => $"{Key}{(Negated ? "!=" : "=")}{one}",
        _ => $"{Key} {(Negated ? "notin" : "in")} ({string.Join(",", Values)})",
    };
}

/// <summary>Writes a selector as its canonical text.</summary>
public sealed class WorkerSelectorJsonConverter : JsonConverter<WorkerSelector>
{
    public override WorkerSelector Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        WorkerSelector.Parse(reader.GetString() ?? throw new JsonException("A worker selector must be a string."));

    public override void Write(Utf8JsonWriter writer, WorkerSelector value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
