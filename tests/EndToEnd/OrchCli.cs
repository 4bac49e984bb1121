using System.Diagnostics;
using System.Text;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Runs the real <c>orch</c> command line as a separate process, as a user would; or, given <paramref name="program"/>,
/// another program built on the command-line library (a sample's, a project made from the template).
/// </summary>
public sealed class OrchCli(string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, string? program = null)
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>The orch.dll built beside this test assembly's configuration (Debug or Release).</summary>
    public static string Dll { get; } = FindDll();

    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(program ?? Dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["COLUMNS"] = "200";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    public Task<Result> RunAsync(params string[] args) => RunAsync(TimeSpan.FromMinutes(5), args);

    public async Task<Result> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>A sample's program, built beside the tests (e.g. <c>Sample("logs/LogPipeline", "log-pipeline")</c>).</summary>
    public static string Sample(string project, string assembly) => Built(Path.Combine("samples", project), assembly);

    private static string FindDll() => Built(Path.Combine("src", "Cli"), "orch");

    private static string Built(string project, string assembly)
    {
        var here = AppContext.BaseDirectory; // .../tests/bin/<Configuration>/net10.0/
        var configuration = new DirectoryInfo(here).Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root, "Orchestration.sln"))) root = Path.GetDirectoryName(root);
        var dll = Path.Combine(root ?? throw new InvalidOperationException("Cannot find the repository root above " + here),
            project, "bin", configuration, "net10.0", assembly + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{assembly} is not built at {dll}; build the solution first.");
    }
}
/// <summary>A fresh temporary directory per test, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("orch-e2e-").FullName;

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a killed process may still hold a file for a moment; the OS temp cleaner takes it
    }
}
