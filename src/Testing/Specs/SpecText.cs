using System.Text;

namespace Orchestration.Testing;

/// <summary>A spec as readable Given / When / Then text.</summary>
public sealed record SpecText(string Class, string Name, IReadOnlyList<string> Given, string When, IReadOnlyList<string> Then)
{
    /// <summary>The spec as GIVEN / WHEN / THEN lines, headed by its class and name.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Class}: {Name.Replace('_', ' ')}");
        text.AppendLine("GIVEN");
        foreach (var line in Given.DefaultIfEmpty("(no events)")) text.AppendLine($"  {line}");
        text.AppendLine("WHEN");
        text.AppendLine($"  {When}");
        text.AppendLine("THEN");
        foreach (var line in Then) text.AppendLine($"  {line}");
        return text.ToString();
    }
}
