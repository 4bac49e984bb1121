namespace Orchestration.DataProcessing.Sql;

/// <summary>What every SQL task reports in its metadata besides the lists its step asks for.</summary>
public static class SqlMetadata
{
    /// <summary>The rows of the task's result, e.g. for a later step's condition: <c>OnlyIf(Metadata.Count("find", "rows") &gt; 0)</c>.</summary>
    public const string Rows = "rows";
}
