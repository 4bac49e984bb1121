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

    /// <summary>
    /// The orch.dll that <c>./orch</c> runs (published ReadyToRun under .build/cli), as a user's commands meet it:
    /// <c>./orch --version</c> runs once per test run first, which builds it when a source changed.
    /// </summary>
    public static string Dll { get; } = BuildThroughTheScript();

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

    private static string BuildThroughTheScript()
    {
        var root = Root();
        var info = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(root, "orch"));
        info.ArgumentList.Add("--version");
        using var build = Process.Start(info)!;
        var output = build.StandardOutput.ReadToEndAsync();
        var error = build.StandardError.ReadToEnd();
        if (!build.WaitForExit(TimeSpan.FromMinutes(10)) || build.ExitCode != 0)
            throw new InvalidOperationException($"./orch --version failed, so the command line is not built:\n{output.Result}\n{error}");
        return Path.Combine(root, ".build", "cli", "orch.dll");
    }

    private static string Root()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Orchestration.sln"))) root = Path.GetDirectoryName(root);
        return root ?? throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }

    private static string Built(string project, string assembly)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // .../tests/bin/<Configuration>/net10.0/
        var dll = Path.Combine(Root(), project, "bin", configuration, "net10.0", assembly + ".dll");
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
