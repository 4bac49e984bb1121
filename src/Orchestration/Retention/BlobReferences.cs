using System.Text.Json;
using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Storage;

namespace Orchestration.Retention;

/// <summary>
/// Every blob an event refers to, wherever in the event it sits (datasets, task inputs, outputs, a retry's fixed copies):
/// found in the event's stored form, by the shape of a blob reference (<c>Uri</c> and <c>Sha256</c>), so an event type
/// added later is covered without a list to keep in step.
/// </summary>
public static class BlobReferences
{
    public static IReadOnlyList<BlobRef> In(IProcessEvent e)
    {
        using var json = JsonDocument.Parse(EventSerializer.Instance.Serialize(e));
        var found = new List<BlobRef>();
        Collect(json.RootElement, found);
        return found;
    }

    private static void Collect(JsonElement element, List<BlobRef> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("Uri", out var uri) && uri.ValueKind == JsonValueKind.String && element.TryGetProperty("Sha256", out var sha)
                    && Uri.TryCreate(uri.GetString(), UriKind.Absolute, out var address))
                    found.Add(new BlobRef(address, sha.GetString() ?? "",
                        element.TryGetProperty("Size", out var size) && size.TryGetInt64(out var bytes) ? bytes : 0,
                        element.TryGetProperty("Rows", out var rows) && rows.TryGetInt64(out var count) ? count : -1));
                else
                    foreach (var property in element.EnumerateObject()) Collect(property.Value, found);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Collect(item, found);
                break;
        }
    }
}
