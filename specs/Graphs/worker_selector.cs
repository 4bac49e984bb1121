using Orchestration.Graphs;
using Xunit;

namespace Orchestration.Specs.Graphs;

/// <summary>Selectors pick workers by their labels: every term must hold; a negated term holds for a worker without the label.</summary>
public sealed class worker_selector
{
    private static readonly Dictionary<string, string> ParisStore = new() { ["region"] = "EU", ["country"] = "FR", ["store"] = "paris-1" };
    private static readonly Dictionary<string, string> NewYorkStore = new() { ["region"] = "NorthAmerica", ["country"] = "US", ["store"] = "nyc-1" };
    private static readonly Dictionary<string, string> Unlabeled = new();

    [Theory]
    [InlineData("region=EU", true, false, false)]
    [InlineData("region in (EU,NorthAmerica)", true, true, false)]
    [InlineData("store=paris-1", true, false, false)]
    [InlineData("!country=US", true, false, true)]
    [InlineData("country!=US", true, false, true)]
    [InlineData("country notin (US,CA)", true, false, true)]
    [InlineData("!country in (US,CA)", true, false, true)]
    [InlineData("region in (EU,NorthAmerica),!country=US", true, false, false)]
    [InlineData(" region = EU , store = paris-1 ", true, false, false)]
    [InlineData("store", true, true, false)]
    [InlineData("!store", false, false, true)]
    [InlineData("country,!country=US", true, false, false)]
    public void a_selector_matches_the_workers_whose_labels_satisfy_every_term(string selector, bool paris, bool newYork, bool unlabeled)
    {
        var parsed = WorkerSelector.Parse(selector);
        Assert.Equal([paris, newYork, unlabeled], [parsed.Matches(ParisStore), parsed.Matches(NewYorkStore), parsed.Matches(Unlabeled)]);
    }

    [Theory]
    [InlineData("region=EU", "region=EU")]
    [InlineData(" !country = US ", "country!=US")]
    [InlineData("region in ( EU , NorthAmerica, EU )", "region in (EU,NorthAmerica)")]
    [InlineData("!region in (EU)", "region!=EU")]
    [InlineData("region in (EU,NorthAmerica),country notin (US)", "region in (EU,NorthAmerica),country!=US")]
    [InlineData(" ! node ", "!node")]
    public void a_selector_has_one_canonical_text_that_parses_back_to_itself(string selector, string canonical)
    {
        var parsed = WorkerSelector.Parse(selector);
        Assert.Equal(canonical, parsed.ToString());
        Assert.Equal(parsed, WorkerSelector.Parse(parsed.ToString()));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("region EU", "'region EU' is not a term")]
    [InlineData("region=EU,,store=x", "empty term")]
    [InlineData("region in (EU", "never closed")]
    [InlineData("region=", "empty value")]
    [InlineData("!region!=EU", "negates twice")]
    [InlineData("re gion=EU", "'re gion' is not a label name")]
    [InlineData("region in (EU,(NA))", "parentheses do not pair up")]
    public void a_malformed_selector_is_refused_saying_what_is_wrong_and_how_to_write_one(string selector, string saying)
    {
        var error = Assert.Throws<FormatException>(() => WorkerSelector.Parse(selector));
        Assert.Contains(saying, error.Message);
        Assert.Contains("region in (EU,NorthAmerica)", error.Message);
    }

    [Fact]
    public void a_single_equality_names_its_label_and_nothing_else_does()
    {
        Assert.Equal(KeyValuePair.Create("store", "paris-1"), WorkerSelector.Parse("store=paris-1").SingleLabel);
        Assert.Null(WorkerSelector.Parse("store!=paris-1").SingleLabel);
        Assert.Null(WorkerSelector.Parse("region=EU,country=FR").SingleLabel);
    }
}
