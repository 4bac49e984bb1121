using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// <c>orch query --shuffle-by</c> on the embedded engine: rows repartitioned by key between the map and the per-bucket
/// SQL, alone (an exact distinct count) and with a second input shuffled into the same buckets (a join), each equal to
/// one direct DuckDB query; bad shuffle options are refused before anything starts.
/// </summary>
public sealed class Shuffles : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrchCli _orch;

    public Shuffles()
    {
        _orch = new OrchCli(_dir.Path);
        ShuffleQueries.Write(_dir);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_distinct_count_per_country_shuffled_by_customer_equals_duckdbs()
    {
        var run = await _orch.RunAsync([.. ShuffleQueries.DistinctCustomers(_dir["customers.csv"]), "--data", _dir["data"], "--workers", "2"]);

        run.ExitCode.Should().Be(0, run.ToString());
        DuckDb.CsvRows(_dir["customers.csv"]).Should().Equal(ShuffleQueries.DistinctCustomersDirectly(_dir));
        run.Output.Should().MatchRegex(@"map\.scatter\s+10/10").And.MatchRegex($@"map\s+{ShuffleQueries.Buckets}/{ShuffleQueries.Buckets}");
    }

    [Fact]
    public async Task Orders_joined_with_returns_by_a_shuffle_join_give_duckdbs_join()
    {
        var run = await _orch.RunAsync([.. ShuffleQueries.OrdersJoinedWithReturns(_dir["joined.csv"]), "--data", _dir["data"], "--workers", "2"]);

        run.ExitCode.Should().Be(0, run.ToString());
        var expected = ShuffleQueries.OrdersJoinedWithReturnsDirectly(_dir);
        expected.Should().HaveCountGreaterThan(100, "the inputs share many customers");
        DuckDb.CsvRows(_dir["joined.csv"]).Should().Equal(expected);
    }

    [Theory]
    [InlineData("customer_id", "0", "orch: --buckets must be between 1 and 4096 (got 0).")]
    [InlineData("customer_id", "4097", "orch: --buckets must be between 1 and 4096 (got 4097).")]
    [InlineData(" ", "16", "orch: --shuffle-by needs a key expression over the input's columns (e.g. customer_id).")]
    public async Task Bad_shuffle_options_are_refused_before_a_process_starts(string key, string buckets, string error)
    {
        var run = await _orch.RunAsync("query", "--data", _dir["data"], "--input", "orders/*.csv", "--shuffle-by", key, "--buckets", buckets,
            "--sql", "SELECT count(*) AS n FROM input", "--out", _dir["n.csv"]);

        run.ExitCode.Should().Be(2);
        run.Error.Trim().Should().Be(error);
        File.Exists(_dir["data/events/events.log"]).Should().BeFalse("nothing was recorded for a refused query");
    }

    [Fact]
    public async Task Buckets_without_a_shuffle_key_are_refused()
    {
        var run = await _orch.RunAsync("query", "--data", _dir["data"], "--input", "orders/*.csv", "--buckets", "4", "--sql", "SELECT 1 AS x FROM input", "--out", _dir["n.csv"]);

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("--buckets and --shuffle-with go with --shuffle-by <key expression>");
    }

    [Theory]
    [InlineData("no_such_column", "Referenced column \"no_such_column\" not found")]
    [InlineData("(customer_id", "syntax error")]
    public async Task A_key_that_names_no_column_or_does_not_parse_fails_the_process_saying_why_and_leaves_no_output(string key, string says)
    {
        var run = await _orch.RunAsync("query", "--data", _dir["data"], "--input", "orders/*.csv", "--shuffle-by", key, "--buckets", "4",
            "--sql", "SELECT count(*) AS n FROM input", "--out", _dir["n.csv"]);

        run.ExitCode.Should().NotBe(0);
        run.Error.Should().Contain("step 'map.scatter' failed").And.Contain(says).And.Contain("cannot be retried");
        File.Exists(_dir["n.csv"]).Should().BeFalse();
        Directory.EnumerateFiles(_dir["data/blobs"], "*bucket*", SearchOption.AllDirectories).Should().BeEmpty("no bucket was written to the blob store");
    }
}
