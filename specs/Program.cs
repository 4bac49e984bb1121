using System.Reflection;
using Orchestration.Specs.Harness;
using Xunit;

// `dotnet run --project specs -- list` prints every specification as Given / When / Then text.
// The specs themselves run under `dotnet test`.
if (args is not ["list"])
{
    Console.Error.WriteLine("usage: dotnet run --project specs -- list    (prints every spec as Given/When/Then text)");
    return args.Length == 0 ? 0 : 2;
}

var specs = typeof(ProcessSpec).Assembly.GetTypes()
    .Where(t => t.IsSubclassOf(typeof(ProcessSpec)) && !t.IsAbstract)
    .OrderBy(t => t.Name)
    .SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttribute<FactAttribute>() is not null).Select(m => (Type: t, Method: m)));

var count = 0;
foreach (var (type, method) in specs)
{
    using var instance = (ProcessSpec)Activator.CreateInstance(type)!;
    ProcessSpec.DescribeInto(text => { Console.WriteLine(text.Render()); count++; }, () => method.Invoke(instance, null));
}
Console.WriteLine($"{count} specifications");
return 0;
