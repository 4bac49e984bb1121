using FluentAssertions;
using Orchestration.DataProcessing.Sql;
using Xunit;

namespace Orchestration.Tests.DataProcessing;

public sealed class A_partition_step_scatters_rows_into_buckets : IDisposable
{
    private const int Buckets = 5;
    private readonly ScratchArea _area = new();
    private readonly string _task;
    private readonly SalesFiles _sales;

    public A_partition_step_scatters_rows_into_buckets()
    {
        _task = _area.Sandbox.TaskDirectory("p-1/shuffle/0");
        _sales = SalesFiles.WriteInto(_task);
    }

    [Fact]
    public void Every_bucket_is_written_their_union_is_the_input_and_each_key_lands_in_one_bucket()
    {
        var results = _area.Sandbox.Partition(Request(Path.Join(_task, "scatter.parquet")), "sku", Buckets);

        var files = Enumerable.Range(0, Buckets).Select(b => Path.Join(_task, $"scatter-bucket-{b}.parquet")).ToList();
        files.Should().OnlyContain(file => File.Exists(file));
        results.Select(r => r.Rows).Sum().Should().Be(2 * SalesFiles.RowsPerPart);
        results.Select(r => r.Bytes).Should().Equal(files.Select(f => new FileInfo(f).Length));
        var fileList = string.Join(", ", files.Select(f => $"'{f}'"));
        ScratchArea.Rows($"SELECT id, store, amount, sku FROM read_parquet([{fileList}]) ORDER BY id")
            .Should().BeEquivalentTo(ScratchArea.Rows($"SELECT * FROM read_parquet(['{_sales.PartA}', '{_sales.PartB}']) ORDER BY id"), o => o.WithStrictOrdering());
        ScratchArea.Rows($"SELECT sku FROM read_parquet([{fileList}], filename = true) GROUP BY sku HAVING count(DISTINCT filename) > 1")
            .Should().BeEmpty("a key must go to exactly one bucket");
        for (var b = 0; b < Buckets; b++)
            results[b].Rows.Should().Be(ScratchArea.Rows($"SELECT count(*) FROM '{files[b]}'").Single()[0] is long n ? n : -1);
    }

    [Fact]
    public void Empty_buckets_are_written_too_with_the_columns()
    {
        var results = _area.Sandbox.Partition(Request(Path.Join(_task, "stores.csv")) with
        {
            Sql = "SELECT store FROM input WHERE store IN (1, 2)",
            Format = OutputFormat.Csv,
        }, "store", 8);

        results.Should().HaveCount(8);
        results.Count(r => r.Rows == 0).Should().BeGreaterThanOrEqualTo(6);
        Enumerable.Range(0, 8).Select(b => File.ReadAllLines(Path.Join(_task, $"stores-bucket-{b}.csv"))[0]).Should().OnlyContain(header => header == "store");
    }

    [Fact]
    public void The_same_input_scatters_to_the_same_bytes()
    {
        _area.Sandbox.Partition(Request(Path.Join(_task, "first.parquet")), "store", 3);
        _area.Sandbox.Partition(Request(Path.Join(_task, "second.parquet")), "store", 3);

        for (var b = 0; b < 3; b++)
            File.ReadAllBytes(Path.Join(_task, $"second-bucket-{b}.parquet")).Should().Equal(File.ReadAllBytes(Path.Join(_task, $"first-bucket-{b}.parquet")));
    }

    [Fact]
    public void A_key_expression_that_breaks_out_of_its_parentheses_is_refused()
    {
        var act = () => _area.Sandbox.Partition(Request(Path.Join(_task, "x.parquet")), "store)) % 2 AS b FROM input; COPY (SELECT 1) TO '/tmp/x.csv'; SELECT ((1", 2);

        act.Should().Throw<StepFailure>().Where(f => !f.Retryable).WithMessage("The partition key expression *");
    }

    [Theory]
    [InlineData("SELECT '42' AS k", "42")]
    [InlineData("SELECT 42::INTEGER AS k", "42")]
    [InlineData("SELECT 42::BIGINT AS k", "42")]
    [InlineData("SELECT 42::UBIGINT AS k", "42")]
    [InlineData("SELECT 42::HUGEINT AS k", "42")]
    [InlineData("SELECT -7::TINYINT AS k", "-7")]
    [InlineData("SELECT 9223372036854775807::BIGINT AS k", "9223372036854775807")]
    [InlineData("SELECT (-9223372036854775808)::BIGINT AS k", "-9223372036854775808")]
    [InlineData("SELECT 18446744073709551615::UBIGINT AS k", "18446744073709551615")]
    [InlineData("SELECT '042' AS k", "042")]
    [InlineData("SELECT '+42' AS k", "+42")]
    [InlineData("SELECT '-0' AS k", "-0")]
    [InlineData("SELECT 42.5::DOUBLE AS k", "42.5")]
    [InlineData("SELECT 'customer-7' AS k", "customer-7")]
    [InlineData("SELECT 'Zürich' AS k", "Zürich")]
    public void A_key_goes_to_the_bucket_of_its_text_whatever_its_type_or_the_duckdb_version(string row, string text)
    {
        foreach (var buckets in new[] { 1, 7, 256 })
        {
            var results = _area.Sandbox.Partition(Request(Path.Join(_task, $"one-{buckets}.parquet")) with { Sql = row }, "k", buckets);

            var expected = ExpectedBucket(text, buckets);
            results.Select(r => r.Rows).Should().Equal(Enumerable.Range(0, buckets).Select(b => b == expected ? 1L : 0L), $"'{text}' in {buckets} buckets");
        }
    }

    [Fact]
    public void Integers_spread_evenly_and_each_goes_where_the_reference_function_sends_it()
    {
        const int buckets = 16;
        var results = _area.Sandbox.Partition(Request(Path.Join(_task, "many.parquet")) with { Sql = "SELECT range * 977 - 50000000 AS k FROM range(100000)" }, "k", buckets);

        var expected = new long[buckets];
        for (long i = 0; i < 100_000; i++) expected[ExpectedBucket((i * 977 - 50_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture), buckets)]++;
        results.Select(r => r.Rows).Should().Equal(expected);
        results.Should().OnlyContain(r => r.Rows > 100_000 / buckets * 9 / 10 && r.Rows < 100_000 / buckets * 11 / 10, "Fibonacci hashing spreads keys evenly");
    }

    [Theory]
    [InlineData("SELECT 42::BIGINT AS k", "42")]
    [InlineData("SELECT 'customer-7' AS k", "customer-7")]
    public void A_process_built_with_bucket_function_1_keeps_the_md5_of_every_keys_text(string row, string text)
    {
        const int buckets = 7;
        var results = _area.Sandbox.Partition(Request(Path.Join(_task, "one.parquet")) with { Sql = row }, "k", buckets, bucketFunction: 1);

        results.Select(r => r.Rows).Should().Equal(Enumerable.Range(0, buckets).Select(b => b == Md5Bucket(text, buckets) ? 1L : 0L));
    }

    [Fact]
    public void A_bucket_function_this_worker_does_not_know_is_a_clear_permanent_failure()
    {
        var act = () => _area.Sandbox.Partition(Request(Path.Join(_task, "x.parquet")), "store", 2, bucketFunction: 3);

        act.Should().Throw<StepFailure>().Where(f => !f.Retryable).WithMessage("This worker does not know bucket function 3 *Upgrade the worker.");
    }

    /// <summary>The bucket function, written again from its definition: a canonical 64-bit integer by Fibonacci hashing, any other text by its MD5.</summary>
    private static int ExpectedBucket(string text, int buckets)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (!long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, invariant, out var n) || n.ToString(invariant) != text)
            return Md5Bucket(text, buckets);
        var top = unchecked((ulong)n * 11400714819323198485UL) >> 32;
        return (int)(top * (ulong)buckets >> 32);
    }

    private static int Md5Bucket(string text, int buckets)
    {
        var digest = System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text));
        return (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(digest) % (ulong)buckets); // the digest's first 8 bytes
    }

    [Fact]
    public void A_null_key_goes_to_bucket_0_and_is_not_lost()
    {
        var results = _area.Sandbox.Partition(Request(Path.Join(_task, "nulls.parquet")) with { Sql = "SELECT NULL::VARCHAR AS k FROM range(3)" }, "k", 4);

        results.Select(r => r.Rows).Should().Equal(3, 0, 0, 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4_097)]
    public void A_bucket_count_outside_1_to_4096_is_refused(int buckets)
    {
        var act = () => _area.Sandbox.Partition(Request(Path.Join(_task, "x.parquet")), "store", buckets);

        act.Should().Throw<StepFailure>().Where(f => !f.Retryable).WithMessage($"A shuffle has 1 to 4096 buckets, not {buckets}.");
    }

    [Fact]
    public void A_list_of_a_column_is_its_distinct_values_in_order_and_a_column_the_result_lacks_is_a_clear_failure()
    {
        var result = Path.Join(_task, "result.parquet");
        _area.Sandbox.Run(Request(result) with { Sql = "SELECT store FROM input WHERE store IS NOT NULL" });

        var list = Orchestration.Contracts.MetadataList.Parse(_area.Sandbox.DistinctValues(result, "store"))!;
        list.Should().Equal(ScratchArea.Rows($"SELECT DISTINCT CAST(store AS VARCHAR) AS v FROM '{result}' ORDER BY v").Select(r => (string)r[0]!));
        var missing = () => _area.Sandbox.DistinctValues(result, "no_such");
        missing.Should().Throw<StepFailure>().Where(f => !f.Retryable).WithMessage("*list of column 'no_such'*no_such*");
    }

    [Fact]
    public void Bucket_files_are_named_after_the_output_file() =>
        SqlSandbox.BucketFile("/scratch/t/part.parquet", 3, OutputFormat.Parquet).Should().Be("/scratch/t/part-bucket-3.parquet");

    public void Dispose() => _area.Dispose();

    private SqlRequest Request(string output) => new(
        "", [new SqlInput("input", _sales.PartA), new SqlInput("input", _sales.PartB)], output, OutputFormat.Parquet, new Dictionary<string, string>());
}
