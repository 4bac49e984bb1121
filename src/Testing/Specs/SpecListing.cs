using System.Reflection;

namespace Orchestration.Testing;

/// <summary>
/// Prints every spec of an assembly as Given / When / Then text: specifications double as documentation. A spec
/// project's <c>Program.cs</c> can be <c>return SpecListing.Run(args, typeof(Program).Assembly);</c>, then
/// <c>dotnet run --project My.Specs -- list</c> prints them.
/// </summary>
public static class SpecListing
{
    /// <summary>Handles <c>list</c> (prints the specs, returns 0); anything else prints the usage (2 when arguments were given).</summary>
    public static int Run(string[] args, Assembly specs, TextWriter? output = null)
    {
        output ??= Console.Out;
        if (args is not ["list"])
        {
            Console.Error.WriteLine("usage: dotnet run -- list    (prints every spec as Given/When/Then text; the specs themselves run under dotnet test)");
            return args.Length == 0 ? 0 : 2;
        }
        var count = 0;
        foreach (var text in Describe(specs))
        {
            output.WriteLine(text.Render());
            count++;
        }
        output.WriteLine($"{count} specifications");
        return 0;
    }

    /// <summary>Every spec of <paramref name="specs"/> as text, by class then declaration order, without checking any.</summary>
    public static IReadOnlyList<SpecText> Describe(Assembly specs)
    {
        var texts = new List<SpecText>();
        var methods = specs.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ProcessSpec)) && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .SelectMany(t => t.GetMethods().Where(IsSpec).Select(m => (Type: t, Method: m)));
        foreach (var (type, method) in methods)
        {
            using var instance = (ProcessSpec)Activator.CreateInstance(type)!;
            ProcessSpec.DescribeInto(texts.Add, () => method.Invoke(instance, null));
        }
        return texts;
    }

    // By name, so the harness serves xunit 2 and 3 alike without depending on either.
    internal static bool IsSpec(MethodBase method) =>
        method.GetCustomAttributes(inherit: false).Any(a => a.GetType().Name is "FactAttribute");
}
