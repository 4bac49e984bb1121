namespace Orchestration.Contracts;

/// <summary>
/// The stable name a message or event is stored and sent under, independent of its CLR name,
/// so renaming a type never breaks a stored stream or a queue binding.
/// Convention: <c>kebab-case-name.vN</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class WireNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
