using System.Reflection;

namespace Orchestration.Operations.Dashboard;

/// <summary>The dashboard's one page (index.html, embedded in the assembly: nothing to copy or build beside the binary).</summary>
internal static class DashboardPage
{
    public static string Html { get; } = Read("index.html");

    private static string Read(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream($"Orchestration.Operations.Dashboard.{name}")
            ?? throw new InvalidOperationException($"The dashboard page {name} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
