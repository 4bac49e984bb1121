using Orchestration.Adapters.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Schedules;

namespace Orchestration.Hosting;

/// <summary>
/// What a program adds to the engine: its graphs, its C# steps and its schedules. Given to
/// <c>services.AddOrchestration(...)</c> and to the command line
/// (<c>OrchestrationCommandLine.RunAsync(args, o => o.AddGraph(...).AddStep&lt;T&gt;())</c>).
/// </summary>
public sealed class OrchestrationBuilder
{
    private readonly List<ProcessGraph> _graphs = [];
    private readonly List<ScheduleDefinition> _schedules = [];
    private readonly List<Func<IServiceProvider, ICodeStep>> _steps = [];

    /// <summary>The role this program plays; when not set, <c>Orchestration:Role</c> from configuration decides (default: embedded).</summary>
    public OrchestrationRole? Role { get; private set; }

    /// <summary>Registers a graph, by name and version, for <c>run</c>, <c>submit</c> and schedules.</summary>
    public OrchestrationBuilder AddGraph(ProcessGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graphs.Add(graph);
        return this;
    }

    /// <summary>Registers a C# step, made by the host's service provider (so it may take services in its constructor).</summary>
    public OrchestrationBuilder AddStep<TStep>() where TStep : class, ICodeStep
    {
        _steps.Add(sp => ActivatorUtilities.GetServiceOrCreateInstance<TStep>(sp));
        return this;
    }

    /// <summary>Registers a C# step instance.</summary>
    public OrchestrationBuilder AddStep(ICodeStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Add(_ => step);
        return this;
    }

    /// <summary>Registers a C# step made from the host's services when the worker starts.</summary>
    public OrchestrationBuilder AddStep(Func<IServiceProvider, ICodeStep> create)
    {
        _steps.Add(create);
        return this;
    }

    /// <summary>Runs a registered graph on a cron schedule (fired by the orchestrator, or by an embedded host).</summary>
    public OrchestrationBuilder AddSchedule(ScheduleDefinition schedule)
    {
        _schedules.Add(schedule);
        return this;
    }

    /// <summary>Sets the role in code rather than configuration.</summary>
    public OrchestrationBuilder AsRole(OrchestrationRole role)
    {
        Role = role;
        return this;
    }

    /// <summary>
    /// Checks what was registered and freezes it. Every problem is an <see cref="OrchestrationSetupException"/> naming
    /// what is wrong and what to do: a graph registered twice, a schedule that runs no registered graph. Steps are made
    /// (and checked: one name and version once, a constructor that fails) when a worker starts.
    /// </summary>
    public OrchestrationSetup Build()
    {
        var catalog = new GraphCatalog();
        try
        {
            foreach (var graph in _graphs) catalog.Add(graph);
            foreach (var schedule in _schedules) catalog.Add(schedule);
        }
        catch (InvalidOperationException bad)
        {
            throw new OrchestrationSetupException(bad.Message);
        }
        return new OrchestrationSetup(catalog, [.. _steps], Role);
    }
}

/// <summary>What a program registered, checked: its graphs and schedules, and how to make its C# steps.</summary>
public sealed class OrchestrationSetup(GraphCatalog graphs, IReadOnlyList<Func<IServiceProvider, ICodeStep>> steps, OrchestrationRole? role)
{
    /// <summary>Nothing registered: the engine's own steps (<c>noop</c>, <c>fan-out</c>) only.</summary>
    public static OrchestrationSetup Empty { get; } = new OrchestrationBuilder().Build();

    /// <summary>The registered graphs and schedules.</summary>
    public GraphCatalog Graphs { get; } = graphs;
    /// <summary>The role set in code, if any.</summary>
    public OrchestrationRole? Role { get; } = role;

    /// <summary>
    /// The worker's steps: the engine's own and the program's. Two of the same name and version are refused, naming both.
    /// </summary>
    public CodeStepRegistry CreateSteps(IServiceProvider services)
    {
        var registry = new CodeStepRegistry().Add(new NoOpStep()).Add(new FanOutStep());
        foreach (var create in steps)
        {
            ICodeStep step;
            try { step = create(services); }
            catch (Exception failed)
            {
                var cause = failed is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : failed;
                throw new OrchestrationSetupException($"a C# step could not be made: {cause.Message} Register what its constructor needs in the host's services.");
            }
            try { registry.Add(step); }
            catch (InvalidOperationException bad) { throw new OrchestrationSetupException(bad.Message); }
        }
        return registry;
    }

    /// <summary>This setup with the schedules <paramref name="settings"/> configures added (<c>Orchestration:Schedules</c>).</summary>
    public OrchestrationSetup WithSchedules(DistributedSettings settings)
    {
        var configured = settings.Schedules.Select(s => s.ToDefinition());
        var catalog = new GraphCatalog();
        try
        {
            foreach (var graph in Graphs.All) catalog.Add(graph);
            foreach (var schedule in Graphs.Schedules.Concat(configured)) catalog.Add(schedule);
        }
        catch (InvalidOperationException bad)
        {
            throw new OrchestrationSetupException($"Orchestration:Schedules: {bad.Message}.");
        }
        return new OrchestrationSetup(catalog, steps, Role);
    }
}

/// <summary>The program registered something the engine cannot run; the message says what and how to fix it.</summary>
public sealed class OrchestrationSetupException(string message) : Exception(message);

/// <summary>What one process of a deployment does.</summary>
public enum OrchestrationRole
{
    /// <summary>Everything in this process on local disk: orchestrator, worker slots, file event log and blobs. The default.</summary>
    Embedded,
    /// <summary>The one orchestrator of a distributed deployment (PostgreSQL, RabbitMQ): needs no graphs or steps of its own.</summary>
    Orchestrator,
    /// <summary>A worker of a distributed deployment (RabbitMQ, blob storage), running this program's C# steps.</summary>
    Worker,
    /// <summary>Starts and follows processes of a distributed deployment, runs nothing itself.</summary>
    Client,
}
