using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// Files that stay on a worker (<c>DataSource.Local</c>): the orchestrator cannot list them, so a task gets the
/// reference <c>local://root/glob</c>, which the worker that runs it resolves against its own allow-list.
/// </summary>
public sealed class local_inputs : SalesSpec
{
    private static readonly BlobRef LocalSales = LocalInput.Reference("sales", "*.csv");

    [Fact]
    public void a_map_over_local_files_is_one_task_over_the_local_reference_and_needs_no_dataset()
    {
        Using(ProcessGraph.Define("local-sums", 1)
            .Map("partials", DataSource.Local("sales", "*.csv"), StepWork.Sql("SELECT sum(amount) FROM input")).Build(),
            new Dictionary<string, IReadOnlyList<BlobRef>>());
        When(Start());
        Expect(Started(), StepStarted("partials", 1), Scheduled("partials", 0, Inputs("input", LocalSales)));
    }
}
