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
/// The distributed roles of <c>AddOrchestration</c>, each in a Generic Host of its own as a user's services would run
/// them, on the real PostgreSQL, RabbitMQ and Azurite: an orchestrator, a worker carrying the program's C# step, and a
/// client that starts a process and follows it to its end.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Roles_in_hosts_of_their_own : DistributedStack
{
    /// <summary>Reports <c>count</c> (its parameter) doubled, as metadata: a C# step only the worker host has.</summary>
    private sealed class Doubler : ICodeStep
    {
        public string Name => "doubler";

        public Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CodeStepResult([], new Dictionary<string, string> { ["doubled"] = $"{2 * int.Parse(context.Task.Parameters["count"])}" }));
    }

    private static readonly ProcessGraph Doubling = ProcessGraph.Define("doubling", 1).Run("double", StepWork.Code("doubler")).Build();

    private IHost HostAs(string role, Action<OrchestrationBuilder> configure, params (string Key, string Value)[] more)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings().Select(s => KeyValuePair.Create(s.Key.Replace("__", ":"), (string?)s.Value)));
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("Orchestration:Role", (string?)role),
            .. more.Select(m => KeyValuePair.Create(m.Key, (string?)m.Value))]);
        builder.Services.AddOrchestration(builder.Configuration, configure);
        return builder.Build();
    }

    [Fact]
    public async Task An_orchestrator_a_worker_with_the_programs_step_and_a_client_each_in_their_own_host_run_a_process()
    {
        using var orchestrator = HostAs("orchestrator", _ => { });
        using var worker = HostAs("worker", o => o.AddStep(new Doubler()), ("Orchestration:Worker:Name", "hosted-1"), ("Orchestration:Worker:Slots", "1"));
        using var client = HostAs("client", o => o.AddGraph(Doubling));
        await orchestrator.StartAsync();
        await worker.StartAsync();
        await client.StartAsync();

        var engine = client.Services.GetRequiredService<Engine>();
        var id = ProcessId.From($"doubling-{Name}");
        await engine.StartOrResumeAsync(new StartProcess(id, Doubling, new Dictionary<string, IReadOnlyList<BlobRef>>(), new Dictionary<string, string> { ["count"] = "21" }));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var state = await engine.WaitForEndAsync(id, cancellationToken: deadline.Token);

        state.Status.Should().Be(ProcessStatus.Completed, state.EndReason);
        var task = state.Tasks.Single();
        task.Metadata.Should().Contain("doubled", "42");
        task.Worker.Should().Be(WorkerId.From("hosted-1"));
        foreach (var host in new[] { client, worker, orchestrator }) await host.StopAsync();
    }
}
