using System.Text.Json;

namespace Orchestration.Contracts;

/// <summary>
/// A list carried in a task's metadata (which is text): a JSON array of strings or numbers, each item taken as its text.
/// The one format a step reports a list in and a fan-out over items reads it from.
/// </summary>
public static class MetadataList
{
    /// <summary>The items, or null if <paramref name="text"/> is not such an array.</summary>
    public static IReadOnlyList<string>? Parse(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Array) return null;
            var items = new List<string>(json.RootElement.GetArrayLength());
            foreach (var item in json.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String) items.Add(item.GetString()!);
                else if (item.ValueKind == JsonValueKind.Number) items.Add(item.GetRawText());
                else return null;
            }
            return items;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The text of <paramref name="items"/> as a step reports it.</summary>
    public static string Format(IEnumerable<string> items) => JsonSerializer.Serialize(items);
}
