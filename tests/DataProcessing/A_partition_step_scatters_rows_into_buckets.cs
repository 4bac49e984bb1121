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

    [Fact]
    public void Bucket_files_are_named_after_the_output_file() =>
        SqlSandbox.BucketFile("/scratch/t/part.parquet", 3, OutputFormat.Parquet).Should().Be("/scratch/t/part-bucket-3.parquet");

    public void Dispose() => _area.Dispose();

    private SqlRequest Request(string output) => new(
        "", [new SqlInput("input", _sales.PartA), new SqlInput("input", _sales.PartB)], output, OutputFormat.Parquet, new Dictionary<string, string>());
}
