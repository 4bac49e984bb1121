using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Processes;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Hosting;

/// <summary>
/// A program adds the engine to its own Generic Host with its graph and C# step (<c>AddOrchestration</c>, embedded
/// role from configuration), starts a process through the <see cref="Engine"/> the host gives, and reads the result.
/// </summary>
public sealed class Adding_the_engine_to_a_host : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Writes the numbers 1..count (its parameter) as a CSV: a C# step with a constructor dependency from the host.</summary>
    private sealed class Numbers(Greeting greeting) : ICodeStep
    {
        public string Name => "numbers";
        public int Version => 3;

        public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
        {
            var count = int.Parse(context.Task.Parameters["count"]);
            var file = context.OutputFile("numbers.csv");
            await File.WriteAllLinesAsync(file, ["n", .. Enumerable.Range(1, count).Select(n => n.ToString())], cancellationToken);
            return new CodeStepResult([new CodeStepOutput(file, count)], new Dictionary<string, string> { ["greeting"] = greeting.Text });
        }
    }

    private sealed record Greeting(string Text);

    private static readonly ProcessGraph Sum = ProcessGraph.Define("sum-of-numbers", 1)
        .Run("numbers", StepWork.Code("numbers", 3))
        .Reduce("sum", DataSource.Step("numbers"), StepWork.Sql("SELECT sum(n)::BIGINT AS total FROM input"))
        .Build();

    private HostApplicationBuilder Builder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestration:Role"] = "embedded",
            ["Orchestration:Data"] = _dir["data"],
            ["Orchestration:Worker:Slots"] = "2",
        });
        builder.Services.AddSingleton(new Greeting("hello"));
        return builder;
    }

    [Fact]
    public async Task Its_graph_runs_with_its_csharp_step_made_from_the_hosts_services()
    {
        var builder = Builder();
        builder.Services.AddOrchestration(builder.Configuration, o => o.AddGraph(Sum).AddStep<Numbers>());
        using var host = builder.Build();
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<Engine>();

        var id = ProcessId.From("sum-100");
        await engine.StartOrResumeAsync(new StartProcess(id, Sum, new Dictionary<string, IReadOnlyList<BlobRef>>(), new Dictionary<string, string> { ["count"] = "100" }));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var state = await engine.WaitForEndAsync(id, cancellationToken: deadline.Token);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var result = _dir["sum.parquet"];
        await using (var output = File.Create(result))
        await using (var stored = await engine.Blobs.OpenReadAsync(state.Outputs.Single()))
            await stored.CopyToAsync(output);
        DuckDb.Rows($"SELECT total FROM '{result}'").Should().Equal("5050");
        state.Tasks.Single(t => t.Step.Name == "numbers").Metadata.Should().Contain("greeting", "hello");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_step_registered_twice_stops_the_host_from_starting_naming_both()
    {
        var builder = Builder();
        builder.Services.AddOrchestration(builder.Configuration, o => o.AddGraph(Sum).AddStep<Numbers>().AddStep<Numbers>());
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OrchestrationSetupException>())
            .WithMessage("C# step 'numbers' v3 is registered twice (Numbers and Numbers); give one another name or version.");
    }

    [Fact]
    public void An_unknown_role_is_refused_naming_the_roles()
    {
        var builder = Builder();
        builder.Configuration["Orchestration:Role"] = "scheduler";

        var add = () => builder.Services.AddOrchestration(builder.Configuration, o => o.AddGraph(Sum));

        add.Should().Throw<OrchestrationSetupException>().WithMessage("Orchestration:Role is 'scheduler'; it must be embedded, orchestrator, worker or client.");
    }
}
