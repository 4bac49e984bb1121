using System.Text.Json;
using Orchestration.Processes;

namespace Orchestration.Testing;

/// <summary>What a spec expects or what a decision produced, printable and comparable.</summary>
internal abstract record Outcome
{
    public abstract IReadOnlyList<string> Lines();

    public sealed record Events(IReadOnlyList<IProcessEvent> List) : Outcome
    {
        public override IReadOnlyList<string> Lines() => List.Count == 0 ? ["(no events)"] : List.Select(e => e.ToString()!).ToList();
    }

    /// <summary>A named error; when expected, <paramref name="Message"/> is a fragment the actual message must contain.</summary>
    public sealed record Error(string Name, string? Message = null) : Outcome
    {
        public override IReadOnlyList<string> Lines() => [Message is null ? $"error '{Name}'" : $"error '{Name}': {Message}"];
    }

    public sealed record Drop(DropKind Kind, string? Detail = null) : Outcome
    {
        public override IReadOnlyList<string> Lines() => [Detail is null ? $"dropped ({Kind})" : $"dropped ({Kind}): {Detail}"];
    }
}

/// <summary>Compares outcomes field by field (as JSON), and says where they first differ.</summary>
internal static class OutcomeDiff
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static string? Between(Outcome expected, Outcome actual) => (expected, actual) switch
    {
        (Outcome.Error e, Outcome.Error a) when e.Name != a.Name => $"expected error '{e.Name}', was '{a.Name}'",
        // An expected error's message is a fragment the actual message must contain.
        (Outcome.Error e, Outcome.Error a) => e.Message is null || (a.Message ?? "").Contains(e.Message, StringComparison.Ordinal)
            ? null
            : $"expected the message of '{e.Name}' to contain \"{e.Message}\", was \"{a.Message}\"",
        (Outcome.Drop e, Outcome.Drop a) => e.Kind == a.Kind ? null : $"expected a drop for {e.Kind}, was {a.Kind}",
        (Outcome.Events e, Outcome.Events a) => EventsDiff(e.List, a.List),
        _ => $"expected {Kind(expected)}, was {Kind(actual)}",
    };

    private static string? EventsDiff(IReadOnlyList<IProcessEvent> expected, IReadOnlyList<IProcessEvent> actual)
    {
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            if (i >= expected.Count) return $"unexpected event #{i + 1}: {actual[i]}";
            if (i >= actual.Count) return $"missing event #{i + 1}: {expected[i]}";
            var (e, a) = (AsJson(expected[i]), AsJson(actual[i]));
            if (e != a) return $"event #{i + 1} differs:{Environment.NewLine}    expected {e}{Environment.NewLine}    was      {a}";
        }
        return null;
    }

    private static string AsJson(IProcessEvent e) => $"{e.GetType().Name} {JsonSerializer.Serialize(e, e.GetType(), Json)}";

    private static string Kind(Outcome o) => o switch
    {
        Outcome.Events => "events",
        Outcome.Error => "an error",
        _ => "a drop",
    };
}
