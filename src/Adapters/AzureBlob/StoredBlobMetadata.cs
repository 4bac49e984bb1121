using System.Globalization;

namespace Orchestration.Adapters.AzureBlob;

/// <summary>
/// What a blob remembers about itself in its Azure metadata: the SHA-256 and row count its reference carries, so
/// a second write of the same name can be compared without downloading the bytes again.
/// </summary>
internal static class StoredBlobMetadata
{
    // Metadata names must be C# identifiers; the service keeps the case we write, so we read it back the same.
    private const string Sha256Key = "sha256";
    private const string RowsKey = "rows";

    public static Dictionary<string, string> For(string sha256, long rows) => new()
    {
        [Sha256Key] = sha256,
        [RowsKey] = rows.ToString(CultureInfo.InvariantCulture),
    };

    public static string? Sha256Of(IDictionary<string, string> metadata) =>
        metadata.TryGetValue(Sha256Key, out var sha) ? sha : null;

    public static long RowsOf(IDictionary<string, string> metadata) =>
        metadata.TryGetValue(RowsKey, out var rows) && long.TryParse(rows, CultureInfo.InvariantCulture, out var count) ? count : -1;
}
