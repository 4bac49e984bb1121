using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The same shuffles on the distributed deployment: scatter and gather tasks on two worker processes, buckets as blobs
/// in Azurite, events in PostgreSQL; each result equal to one direct DuckDB query.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Shuffles_on_the_distributed_deployment : DistributedStack
{
    [Fact]
    public async Task A_shuffle_aggregation_and_a_shuffle_join_on_two_worker_processes_equal_duckdbs()
    {
        ShuffleQueries.Write(Dir);
        StartDeployment(workers: 2);

        var counted = await Orch.RunAsync(ShuffleQueries.DistinctCustomers(Dir["customers.csv"]));
        counted.ExitCode.Should().Be(0, counted + await HostLogs());
        DuckDb.CsvRows(Dir["customers.csv"]).Should().Equal(ShuffleQueries.DistinctCustomersDirectly(Dir));

        var joined = await Orch.RunAsync(ShuffleQueries.OrdersJoinedWithReturns(Dir["joined.csv"]));
        joined.ExitCode.Should().Be(0, joined + await HostLogs());
        DuckDb.CsvRows(Dir["joined.csv"]).Should().Equal(ShuffleQueries.OrdersJoinedWithReturnsDirectly(Dir));
        (await HistoryOf(joined)).Should().MatchRegex(@"confirmed by w1").And.MatchRegex(@"confirmed by w2", "both workers took part");
    }
}
