using System.Globalization;
using Orchestration.Contracts;

namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Which bucket of a shuffle a row goes to: a function of its key's text alone, so that an INTEGER 42, a BIGINT 42 and
/// the text '42' share a bucket and two inputs shuffled for a join meet whatever their key columns' types. Nothing here
/// depends on the DuckDB version (its <c>hash()</c> may change), so every task of a shuffle, on any worker, old or new,
/// sends a key to the same bucket. A NULL key goes to bucket 0. Keys are best integers or text (a floating-point key's
/// text may differ between versions). The function is versioned (<see cref="StepWork.LatestBucketFunction"/>) because
/// a shuffle's tasks must all use one: a process keeps the one its graph was built with.
/// <list type="bullet">
/// <item>1: the first 8 bytes of the MD5 of the text, read as a little-endian unsigned 64-bit number, modulo the bucket count.</item>
/// <item>2: a text that is a 64-bit integer written the canonical way (<c>-42</c>, not <c>+42</c> or <c>042</c>) goes by
/// Fibonacci hashing: the low 64 bits of <c>n × 11400714819323198485</c>, their top 32 bits scaled to the bucket count
/// (<c>(top32 × buckets) &gt;&gt; 32</c>, so every bit of the key counts); any other text goes as in 1. An integer column
/// is hashed as a number, without the text being written out: 8 times cheaper than the MD5 of the text.</item>
/// </list>
/// (The MD5 is taken as 64 bits because DuckDB's modulo of a 128-bit number costs 30 times the hash.)
/// </summary>
public static class ShuffleBucket
{
    /// <summary>The multiplier of Fibonacci hashing: 2^64 divided by the golden ratio, made odd.</summary>
    public const ulong Fibonacci = 11400714819323198485UL;

    /// <summary>The DuckDB types whose every value is a 64-bit signed integer, hashed as numbers by function 2.</summary>
    private static readonly HashSet<string> IntegerTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
    };

    /// <summary>Whether this worker knows bucket function <paramref name="function"/>.</summary>
    public static bool IsKnown(int function) => function is 1 or 2;

    /// <summary>
    /// The SQL expression of <paramref name="keyExpression"/>'s bucket under <paramref name="function"/>, an INTEGER in
    /// [0, buckets); <paramref name="keyType"/> is the key's DuckDB type (from <c>DESCRIBE</c>).
    /// </summary>
    public static string Sql(string keyExpression, string keyType, int buckets, int function)
    {
        if (!IsKnown(function))
            throw StepFailure.Permanent($"This worker does not know bucket function {function} (it knows 1 and 2): it is older than the engine that built the graph. Upgrade the worker.");
        var key = $"(\n{keyExpression}\n)";
        if (function == 1) return $"coalesce({Md5(CastToText(key), buckets)}, 0)";
        if (IntegerTypes.Contains(keyType)) return $"coalesce({OfInteger(key, buckets)}, 0)";
        // The text is spelled three times: DuckDB's common-subexpression pass computes it once per row.
        var text = CastToText(key);
        return $"coalesce(CASE WHEN CAST(TRY_CAST({text} AS BIGINT) AS VARCHAR) = {text} THEN {OfInteger($"TRY_CAST({text} AS BIGINT)", buckets)} " +
               $"ELSE {Md5(text, buckets)} END, 0)";
    }

    private static string CastToText(string key) => $"CAST({key} AS VARCHAR)";

    private static string Md5(string text, int buckets) =>
        $"((md5_number({text}) & {ulong.MaxValue}::UHUGEINT)::UBIGINT % {buckets})::INTEGER";

    private static string OfInteger(string integer, int buckets) =>
        $"(((((CAST({integer} AS BIGINT)::HUGEINT * {Fibonacci.ToString(CultureInfo.InvariantCulture)}) & {ulong.MaxValue}::HUGEINT)::UBIGINT >> 32) * {buckets}) >> 32)::INTEGER";
}
