using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;

namespace Orchestration.Contracts;

/// <summary>Maps wire names to CLR types and back, for the types of the given assemblies.</summary>
public sealed class WireNames
{
    private readonly FrozenDictionary<string, Type> _byName;
    private readonly FrozenDictionary<Type, string> _byType;

    public WireNames(params Assembly[] assemblies)
    {
        var named = assemblies
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<WireNameAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();
        var clashes = named.GroupBy(x => x.Attribute!.Name).Where(g => g.Count() > 1).ToList();
        if (clashes.Count > 0)
            throw new InvalidOperationException("Two types share a wire name: " + string.Join("; ",
                clashes.Select(g => $"'{g.Key}' on {string.Join(", ", g.Select(x => x.Type.FullName))}")));
        _byName = named.ToFrozenDictionary(x => x.Attribute!.Name, x => x.Type);
        _byType = named.ToFrozenDictionary(x => x.Type, x => x.Attribute!.Name);
    }

    public IEnumerable<string> Names => _byName.Keys;

    public string NameOf(Type type) => _byType.TryGetValue(type, out var name)
        ? name
        : throw new InvalidOperationException($"{type.FullName} has no [WireName]; add one before storing or sending it.");

    public Type TypeOf(string name) => _byName.TryGetValue(name, out var type)
        ? type
        : throw new InvalidOperationException($"No type is known under the wire name '{name}'. Is the stream from a newer version of the engine?");

    public bool TryGetType(string name, out Type type) => _byName.TryGetValue(name, out type!);
}
