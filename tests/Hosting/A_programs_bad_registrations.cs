using FluentAssertions;
using Orchestration.CommandLine;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Hosting;

/// <summary>A program's console is the whole process's: these run alone, so nothing else writes to it meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProgramConsole
{
    public const string Name = "a program's console";
}

/// <summary>
/// What a user's program gets from <c>OrchestrationCommandLine.RunAsync</c> when it registers something wrong: one line
/// on stderr naming what is wrong and what to do, and a non-zero exit code, never a stack trace.
/// </summary>
[Collection(ProgramConsole.Name)]
public sealed class A_programs_bad_registrations : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StringWriter _error = new();
    private readonly TextWriter _console = Console.Error;

    public A_programs_bad_registrations() => Console.SetError(_error);

    public void Dispose()
    {
        Console.SetError(_console);
        _dir.Dispose();
    }

    private static class BadGraphs
    {
        // As users write graphs: built in a static field, so a problem surfaces inside the type's initializer.
        public static readonly ProcessGraph Cyclic = ProcessGraph.Define("cyclic", 1)
            .Reduce("a", DataSource.Step("b"), StepWork.Sql("SELECT * FROM input"))
            .Reduce("b", DataSource.Step("a"), StepWork.Sql("SELECT * FROM input"))
            .Build();
    }

    private sealed class Echo : ICodeStep
    {
        public string Name => "echo";
        public Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CodeStepResult([], new Dictionary<string, string>()));
    }

    private static readonly ProcessGraph EchoGraph = ProcessGraph.Define("echo", 1).Run("echo", StepWork.Code("echo")).Build();

    private string OneLine()
    {
        var lines = _error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle("a failure is one line: {0}", _error.ToString());
        return lines[0].TrimEnd('\r');
    }

    [Fact]
    public async Task A_graph_that_fails_validation_is_one_line_naming_the_graph_its_problems_and_the_fix()
    {
        var exit = await OrchestrationCommandLine.RunAsync(["status", "--data", _dir["data"]], o => o.AddGraph(BadGraphs.Cyclic));

        exit.Should().Be(1);
        OneLine().Should().MatchRegex(@": graph 'cyclic' v1 is invalid: .*cycle.*\. Fix its definition \(ProcessGraph\.Define\(\.\.\.\)\) and run again\.$");
    }

    [Fact]
    public async Task A_graph_registered_twice_is_one_line_saying_to_give_it_a_new_version()
    {
        var exit = await OrchestrationCommandLine.RunAsync(["status", "--data", _dir["data"]], o => o.AddGraph(EchoGraph).AddGraph(EchoGraph));

        exit.Should().Be(1);
        OneLine().Should().EndWith(": Graph 'echo' v1 is registered twice; give the new definition a new version.");
    }

    [Fact]
    public async Task A_step_registered_twice_is_one_line_naming_both_when_the_engine_starts()
    {
        var exit = await OrchestrationCommandLine.RunAsync(["run", "echo", "--data", _dir["data"], "--out", _dir["echo.csv"]],
            o => o.AddGraph(EchoGraph).AddStep(new Echo()).AddStep(new Echo()));

        exit.Should().Be(1);
        OneLine().Should().EndWith(": C# step 'echo' v1 is registered twice (Echo and Echo); give one another name or version.");
    }

    [Fact]
    public async Task An_unknown_graph_is_one_line_listing_the_programs_graphs()
    {
        var exit = await OrchestrationCommandLine.RunAsync(["run", "ehco", "--data", _dir["data"]], o => o.AddGraph(EchoGraph));

        exit.Should().Be(2);
        OneLine().Should().EndWith(": Unknown graph 'ehco'. Known graphs: 'echo' v1.");
    }

    [Fact]
    public async Task A_graph_needing_a_step_the_program_does_not_register_is_refused_before_it_runs_naming_step_and_version()
    {
        var exit = await OrchestrationCommandLine.RunAsync(["run", "echo", "--data", _dir["data"], "--out", _dir["echo.csv"]], o => o.AddGraph(EchoGraph));

        exit.Should().Be(1);
        OneLine().Should().EndWith(": graph 'echo' v1 needs C# step 'echo' v1 (step 'echo'), which this program does not register (it has: fan-out@1, noop@1); " +
            "add it with AddStep<T>() in the program's setup.");
    }
}
