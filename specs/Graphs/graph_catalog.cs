using Orchestration.Graphs;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Graphs;

public sealed class graph_catalog
{
    private static GraphCatalog Catalog() => new GraphCatalog().Add(SalesGraph()).Add(ShuffleGraph());

    [Fact]
    public void an_unknown_graph_is_refused_with_the_list_of_known_graphs()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Catalog().Get("revenue"));
        Assert.Equal("Unknown graph 'revenue'. Known graphs: 'sales' v1, 'sales-by-store' v1.", error.Message);
    }

    [Fact]
    public void an_empty_catalog_says_it_knows_no_graphs()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => new GraphCatalog().Get("sales"));
        Assert.Equal("Unknown graph 'sales'. Known graphs: (none).", error.Message);
    }

    [Fact]
    public void an_unknown_version_is_refused_with_the_versions_known()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Catalog().Get("sales", 7));
        Assert.Equal("Graph 'sales' has no version 7. Known versions: 1.", error.Message);
    }

    [Fact]
    public void without_a_version_the_latest_is_given()
    {
        var v2 = SalesGraph() with { Version = 2 };
        var catalog = new GraphCatalog().Add(v2).Add(SalesGraph());
        Assert.Same(v2, catalog.Get("sales"));
        Assert.Equal(1, catalog.Get("sales", 1).Version);
    }

    [Fact]
    public void registering_the_same_version_twice_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog().Add(SalesGraph()));
        Assert.Equal("Graph 'sales' v1 is registered twice; give the new definition a new version.", error.Message);
    }
}
