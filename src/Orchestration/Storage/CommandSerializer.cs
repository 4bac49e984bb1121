using System.Text.Json;
using Orchestration.Contracts;
using Orchestration.Processes;

namespace Orchestration.Storage;

/// <summary>
/// Turns the commands a client may send to the orchestrator into (wire name, JSON) and back. Only commands with a
/// wire name travel (starting and cancelling a process); the ones that come from workers' events or from the
/// orchestrator itself (confirming a task, timing one out) have none, so no client can send them.
/// </summary>
public sealed class CommandSerializer
{
    public static readonly CommandSerializer Instance = new();

    private readonly WireNames _names = EventSerializer.Instance.Names; // commands and events live in one assembly

    public (string Type, string Json) Serialize(IProcessCommand command) =>
        (_names.NameOf(command.GetType()), JsonSerializer.Serialize(command, command.GetType(), EventSerializer.Options));

    /// <summary>The command, or a <see cref="DomainError"/> naming a type no client may send.</summary>
    public IProcessCommand Deserialize(string type, string json) =>
        _names.TryGetType(type, out var command) && typeof(IProcessCommand).IsAssignableFrom(command)
            ? (IProcessCommand)(JsonSerializer.Deserialize(json, command, EventSerializer.Options) ?? throw new JsonException($"The command '{type}' is null."))
            : throw DomainError.Named("unknown-command", $"'{type}' is not a command a client can send; upgrade the orchestrator if the client is newer.");
}
