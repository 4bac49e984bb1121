using Xunit;

namespace Orchestration.Tests.Packaging;

/// <summary>
/// What a new user has after the README's first steps: the packages built by <c>./scripts/pack.sh</c>, the template
/// installed from <c>artifacts/packages</c>, and a project made from it in a folder outside the repository — plus a
/// second copy of it where the developer moved the C# step to version 2 (new tier thresholds, a short queue timeout),
/// as a rolling deploy would run both.
/// </summary>
public sealed class NewUserProject : IAsyncLifetime
{
    private static readonly TimeSpan Minutes5 = TimeSpan.FromMinutes(5);

    public string Root { get; } = Directory.CreateTempSubdirectory("orch-new-user-").FullName;
    public string V1 => Path.Combine(Root, "Acme.Pipelines");
    public string V2 => Path.Combine(Root, "v2", "Acme.Pipelines");

    /// <summary>The built program of a copy: what <c>dotnet run --project src/Acme.Pipelines</c> runs.</summary>
    public static string Program(string project) => Path.Combine(project, "src", "Acme.Pipelines", "bin", "Debug", "net10.0", "Acme.Pipelines.dll");

    public async Task InitializeAsync()
    {
        var repository = RepositoryRoot();
        await Shell.SucceedAsync(repository, TimeSpan.FromMinutes(10), "bash", "scripts/pack.sh");
        var template = Directory.GetFiles(Path.Combine(repository, "artifacts", "packages"), "Orchestration.Templates.*.nupkg").Single();
        // An upgrade as a user makes it: the old template out (if any), the new one in (a forced reinstall over a
        // rebuilt package of the same version leaves two registrations behind).
        await Shell.RunAsync(Root, Minutes5, "dotnet", "new", "uninstall", "Orchestration.Templates");
        await Shell.SucceedAsync(Root, Minutes5, "dotnet", "new", "install", template);
        await Shell.SucceedAsync(Root, Minutes5, "dotnet", "new", "orchestration", "-n", "Acme.Pipelines", "-o", V1);
        // The packages' folder as a source of this project only (the README's step): nothing machine-wide.
        await Shell.SucceedAsync(V1, Minutes5, "dotnet", "new", "nugetconfig");
        await Shell.SucceedAsync(V1, Minutes5, "dotnet", "nuget", "add", "source", Path.Combine(repository, "artifacts", "packages"),
            "--name", "orchestration-local", "--configfile", "nuget.config");

        CopyDirectory(V1, V2);
        Edit(Path.Combine(V2, "src", "Acme.Pipelines.Graphs", "CustomerTiers.cs"),
            ("public const int ScoreVersion = 1;", "public const int ScoreVersion = 2;"),
            ("ProcessGraph.Define(\"customer-tiers\", 1)", "ProcessGraph.Define(\"customer-tiers\", 2)"),
            ("StepWork.Code(ScoreStep, ScoreVersion))", "StepWork.Code(ScoreStep, ScoreVersion), s => s.QueueTimeout(TimeSpan.FromSeconds(8)).Retry(1))"));
        Edit(Path.Combine(V2, "src", "Acme.Pipelines", "Steps", "ScoreCustomers.cs"), (">= 1_000m => \"gold\"", ">= 2_000m => \"gold\""));

        foreach (var project in new[] { V1, V2 }) await Shell.SucceedAsync(project, Minutes5, "dotnet", "build", "-nologo", "-clp:ErrorsOnly");
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { } // a host may hold a file for a moment: the temporary folder is the OS's to clean
        return Task.CompletedTask;
    }

    private static void Edit(string file, params (string From, string To)[] changes)
    {
        var text = File.ReadAllText(file);
        foreach (var (from, to) in changes)
            text = text.Contains(from, StringComparison.Ordinal) ? text.Replace(from, to, StringComparison.Ordinal)
                : throw new InvalidOperationException($"The template's {Path.GetFileName(file)} no longer has '{from}': update this fixture.");
        File.WriteAllText(file, text);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    private static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Orchestration.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
