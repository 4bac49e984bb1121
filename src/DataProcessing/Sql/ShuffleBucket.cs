namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Which bucket of a shuffle a row goes to: the first 8 bytes of the MD5 of its key's text, read as a little-endian
/// unsigned 64-bit number, modulo the bucket count; a NULL key goes to bucket 0. (Taken as 64 bits because DuckDB's
/// modulo of a 128-bit number costs 30 times the hash.) MD5 and a key's text do not change with the DuckDB version (its
/// <c>hash()</c> may), so every task of a shuffle, on any worker, old or new, sends a key to the same bucket, and two
/// inputs shuffled for a join meet: an INTEGER 42, a BIGINT 42 and the text '42' share a bucket. Keys are best
/// integers or text (a floating-point key's text may differ between versions).
/// </summary>
public static class ShuffleBucket
{
    /// <summary>The SQL expression of <paramref name="keyExpression"/>'s bucket, an INTEGER in [0, buckets).</summary>
    public static string Sql(string keyExpression, int buckets) =>
        $"coalesce(((md5_number(CAST((\n{keyExpression}\n) AS VARCHAR)) & {ulong.MaxValue}::UHUGEINT)::UBIGINT % {buckets})::INTEGER, 0)";
}
