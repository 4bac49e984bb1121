using Orchestration.DataProcessing.Blobs;
using Orchestration.DataProcessing.Sql;

namespace LogPipeline;

/// <summary>
/// <c>Region-Zone-Node</c>, from the worker's labels <c>region</c>, <c>zone</c> and <c>node</c>: the prefix of every blob a
/// node publishes, so two nodes never write the same name.
/// </summary>
public static class NodeName
{
    public static readonly string[] Labels = ["region", "zone", "node"];

    public static string Of(IReadOnlyDictionary<string, string> labels)
    {
        var missing = Labels.Where(l => !labels.TryGetValue(l, out var v) || string.IsNullOrWhiteSpace(v)).ToList();
        if (missing.Count > 0)
            throw new StepFailure($"The worker has no label {string.Join(", ", missing.Select(l => $"'{l}'"))}; the security-logs step names its blobs " +
                                  "Region-Zone-Node. Start it with --label region=EU --label zone=eu-west-1a --label node=n1.", retryable: false);
        var name = string.Join('-', Labels.Select(l => labels[l]));
        try
        {
            return BlobNames.Validate(name);
        }
        catch (ArgumentException)
        {
            throw new StepFailure($"The worker's labels region, zone and node ('{name}') may hold only letters, digits and . _ - = + to name blobs.", retryable: false);
        }
    }
}
