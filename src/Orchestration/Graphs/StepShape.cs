namespace Orchestration.Graphs;

/// <summary>The Spark-style shape of a step, as a user declared it. The <see cref="Fanout"/> says how it becomes tasks.</summary>
public enum StepShape
{
    /// <summary>One task per input partition.</summary>
    Map,
    /// <summary>One task over all outputs of a step.</summary>
    Reduce,
    /// <summary>Hash-partition rows by a key into N buckets (scatter), then one task per bucket (gather).</summary>
    Shuffle,
}
