using System.Globalization;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// The retail warehouse sample (samples/retail) as real processes: four store workers labeled by region, country and
/// store, each allowed to read only its own transactions. Every way of targeting them runs the query on exactly the
/// matching stores (by the history: who each map task was for and who confirmed it) and answers what DuckDB answers
/// over the same files; only partial aggregates cross the blob store.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed partial class Retail_warehouse : DistributedStack
{
    private const string Sql = "SELECT store, count(*) AS transactions, sum(quantity * unit_price) AS revenue FROM input GROUP BY store";
    private const string Merge = "SELECT store, sum(transactions) AS transactions, sum(revenue) AS revenue FROM partials GROUP BY store ORDER BY store";

    private static readonly (string Store, string Country, string Region)[] Stores =
        [("paris-1", "FR", "EU"), ("berlin-1", "DE", "EU"), ("toronto-1", "CA", "NorthAmerica"), ("nyc-1", "US", "NorthAmerica")];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var sql = File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "retail", "transactions.sql"));
        foreach (var (store, country, region) in Stores)
        {
            Directory.CreateDirectory(Dir[$"stores/{store}"]);
            var rows = sql.Replace("{store}", store).Replace("{country}", country).Replace("{region}", region).Replace("{rows}", "60000");
            DuckDb.Execute($"COPY ({string.Join('\n', rows.Split('\n').Where(l => !l.StartsWith("--")))}) TO '{Dir[$"stores/{store}/transactions.csv"]}' (HEADER)");
        }
        File.Copy(Path.Combine(RepositoryRoot(), "samples", "retail", "orch.targets"), Dir["orch.targets"]);
    }

    [Fact]
    public async Task Each_targeting_mode_runs_on_exactly_the_matching_stores_answers_what_duckdb_answers_and_moves_under_one_percent_of_what_it_scans()
    {
        await StartStoresAsync();

        var allStores = await QueryAsync(["--target", "all-stores"], "paris-1", "berlin-1", "toronto-1", "nyc-1");
        await QueryAsync(["--target", "eu-stores"], "paris-1", "berlin-1");
        await QueryAsync(["--target", "country=US"], "nyc-1");
        await QueryAsync(["--target", "store=berlin-1"], "berlin-1");
        await QueryAsync(["--target", "region in (EU,NorthAmerica),!country=US"], "paris-1", "berlin-1", "toronto-1");

        var describe = await Orch.RunAsync("describe", allStores);
        describe.ExitCode.Should().Be(0, describe.ToString());
        describe.Output.Should().Contain("on every worker matching region in (EU,NorthAmerica); ran on: berlin-1, nyc-1, paris-1, toronto-1");
        var bytes = BytesIn().Match(describe.Output);
        bytes.Success.Should().BeTrue(describe.Output);
        var (scanned, moved) = (Number(bytes.Groups[1].Value), Number(bytes.Groups[2].Value));
        scanned.Should().Be(Stores.Sum(s => new FileInfo(Dir[$"stores/{s.Store}/transactions.csv"]).Length), "each store read its own file, in place, once");
        moved.Should().BeGreaterThan(0).And.BeLessThan(scanned / 100, "only the four partial aggregates and the result crossed the blob store");
    }

    [Fact]
    public async Task A_query_on_any_eu_store_runs_once_on_one_of_them_and_one_on_no_live_store_fails_listing_the_stores()
    {
        await StartStoresAsync();

        var any = await Orch.RunAsync(["query", "--input", "local://sales/*.csv", "--target", "eu-stores", "--target-mode", "any", "--sql", Sql, "--merge", Merge, "--out", Dir["any.csv"]]);
        any.ExitCode.Should().Be(0, any.ToString());
        var history = (await Orch.RunAsync("history", ProcessIdIn().Match(any.Output).Groups[1].Value)).Output;
        MapConfirmers(history).Should().ContainSingle().Which.Should().BeOneOf("paris-1", "berlin-1");

        var none = await Orch.RunAsync(["query", "--input", "local://sales/*.csv", "--target", "country=JP", "--sql", Sql, "--out", Dir["none.csv"]]);
        none.ExitCode.Should().NotBe(0, none.ToString());
        none.Error.Should().Contain("no live worker matches country=JP; the live workers are berlin-1 (country=DE, region=EU, store=berlin-1), nyc-1 (country=US, region=NorthAmerica, store=nyc-1), " +
                                      "paris-1 (country=FR, region=EU, store=paris-1), toronto-1 (country=CA, region=NorthAmerica, store=toronto-1)");
    }

    /// <summary>Runs the query with <paramref name="target"/>; checks the answer and that its map ran on exactly <paramref name="stores"/>. Returns the process id.</summary>
    private async Task<string> QueryAsync(string[] target, params string[] stores)
    {
        var output = Dir[$"{string.Join("-", stores)}.csv"];
        var run = await Orch.RunAsync(["query", "--input", "local://sales/*.csv", .. target, "--sql", Sql, "--merge", Merge, "--out", output]);
        run.ExitCode.Should().Be(0, run.ToString());
        var files = string.Join(", ", stores.Select(s => $"'{Dir[$"stores/{s}/transactions.csv"]}'"));
        DuckDb.CsvRows(output).Should().Equal(DuckDb.Rows($"""
            SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
              SELECT store, count(*) AS transactions, sum(quantity * unit_price) AS revenue FROM read_csv([{files}]) GROUP BY store ORDER BY store)
            """), string.Join(" ", target));

        var process = ProcessIdIn().Match(run.Output).Groups[1].Value;
        var history = (await Orch.RunAsync("history", process)).Output;
        Regex.Matches(history, @"Task \S+/map/\d+ attempt \d+ scheduled .* for (\S+),").Select(m => m.Groups[1].Value)
            .Should().BeEquivalentTo(stores, "one map task for each matching store, and none for the others");
        MapConfirmers(history).Should().BeEquivalentTo(stores, "every map task ran on the store it was for: no other worker received it");
        return process;
    }

    private static IEnumerable<string> MapConfirmers(string history) =>
        Regex.Matches(history, @"Task \S+/map/\d+ attempt \d+ confirmed by (\S+) ").Select(m => m.Groups[1].Value);

    /// <summary>The orchestrator and the four store workers, each allowed its own directory as <c>sales</c>; returns once all four are live.</summary>
    private async Task StartStoresAsync()
    {
        StartHost("orchestrator");
        foreach (var (store, country, region) in Stores)
            StartHost("worker", "--name", store, "--slots", "1", "--label", $"region={region}", "--label", $"country={country}", "--label", $"store={store}",
                "--allow-local", $"sales={Dir[$"stores/{store}"]}");
        await Eventually.True(async () => Regex.Matches((await Orch.RunAsync("workers")).Output, "store=").Count == Stores.Length,
            TimeSpan.FromMinutes(2), "the four store workers listed by orch workers");
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Orchestration.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no repository root");
        return root;
    }

    [GeneratedRegex(@"process (query-[0-9a-f]+)")]
    private static partial Regex ProcessIdIn();

    [GeneratedRegex(@"bytes scanned locally: ([\d,]+), bytes moved \(blobs read \+ written\): ([\d,]+)")]
    private static partial Regex BytesIn();
}
