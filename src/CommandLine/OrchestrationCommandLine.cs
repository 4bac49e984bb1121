using Orchestration.CommandLine.Output;
using Spectre.Console;
using System.CommandLine;
using Orchestration.Adapters.Configuration;
using Orchestration.CommandLine.Commands;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Processes;

namespace Orchestration.CommandLine;

/// <summary>
/// Every <c>orch</c> command over a program's own graphs and C# steps. A program's whole <c>Main</c> can be
/// <c>return await OrchestrationCommandLine.RunAsync(args, o => o.AddGraph(Revenue.Graph).AddStep&lt;ScoreCustomers&gt;());</c>:
/// then <c>dotnet run -- run revenue</c>, <c>-- worker</c>, <c>-- orchestrator</c>, <c>-- status</c>, <c>-- describe</c> and
/// <c>-- history</c> work as <c>./orch</c> does. Every failure ends as one line on stderr and a non-zero exit code
/// (2 for bad arguments).
/// </summary>
public static class OrchestrationCommandLine
{
    /// <summary>Parses <paramref name="args"/> and runs the command over what <paramref name="configure"/> registers.</summary>
    public static Task<int> RunAsync(string[] args, Action<OrchestrationBuilder>? configure = null) =>
        RunAsync(args, configure, _ => { });

    /// <summary>As <see cref="RunAsync(string[], Action{OrchestrationBuilder}?)"/>, with commands of the program's own added to the root.</summary>
    public static async Task<int> RunAsync(string[] args, Action<OrchestrationBuilder>? configure, Action<RootCommand> addCommands)
    {
        OrchestrationSetup setup;
        try
        {
            var builder = new OrchestrationBuilder();
            configure?.Invoke(builder);
            setup = builder.Build();
        }
        catch (Exception error) when (Unwrap(error) is InvalidGraphException or OrchestrationSetupException)
        {
            return Fail(Unwrap(error) is InvalidGraphException invalid
                ? $"graph {invalid.Graph} is invalid: {string.Join("; ", invalid.Problems)}. Fix its definition (ProcessGraph.Define(...)) and run again."
                : Unwrap(error).Message, 1);
        }
        RootCommand root;
        try
        {
            root = Create(setup);
        }
        catch (Exception error) when (Unwrap(error) is SettingsException)
        {
            return Fail(Unwrap(error).Message, 1); // the configuration is read as the commands are made
        }
        addCommands(root);
        return await InvokeAsync(root, args);
    }

    /// <summary>The root command with every engine command over <paramref name="setup"/>.</summary>
    public static RootCommand Create(OrchestrationSetup setup) =>
        new("Orchestration: an event-sourced engine that runs DuckDB and C# processing graphs on a pool of workers")
        {
            CommonOptions.Data,
            DemoCommand.Create(setup),
            QueryCommand.Create(setup),
            RunCommand.Create(setup),
            RunCommand.Submit(setup),
            InspectCommands.Status(),
            InspectCommands.Describe(),
            InspectCommands.History(),
            ControlCommands.Cancel(setup),
            ControlCommands.Retry(setup),
            ControlCommands.Pause(setup),
            ControlCommands.Resume(setup),
            PruneCommand.Create(setup),
            SchedulesCommand.Create(setup),
            HostCommands.Orchestrator(setup),
            HostCommands.Worker(setup),
            HealthCommand.Create(),
            WorkersCommand.Create(),
            ScaleCommand.Create(),
        };

    /// <summary>Runs a parsed command line, turning every expected failure into one line on stderr.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        // Written to a file or a pipe, Spectre would wrap every line at 80 columns, splitting the summary lines scripts look for.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = OutputWidth.Of(wide: false);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"{Name}: {error.Message}");
            Console.Error.WriteLine($"{Name}: run '{Name} --help' for the commands and options.");
            return 2;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliError error)
        {
            return Fail(error.Message, error.ExitCode);
        }
        catch (Exception error) when (Unwrap(error) is DomainError or IOException or UnauthorizedAccessException or OrchestrationSetupException or SettingsException or TimeoutException)
        {
            return Fail(Unwrap(error).Message, 1);
        }
    }

    /// <summary>The program's name in messages: <c>orch</c> here, the user's own program elsewhere.</summary>
    internal static string Name => System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "orch";

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"{Name}: {OneLine(message)}");
        return exitCode;
    }

    // A graph built in a static field fails inside its type's initializer; the user wants the graph's own error.
    private static Exception Unwrap(Exception error) =>
        error is TypeInitializationException or AggregateException or System.Reflection.TargetInvocationException && error.InnerException is { } inner ? Unwrap(inner) : error;

    // Errors from DuckDB span lines (the SQL and a caret); the user gets them on one line, the history keeps them whole.
    private static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
