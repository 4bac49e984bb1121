namespace Orchestration.Contracts.Messages;

/// <summary>
/// Request from a client (the command line, a program's client role) to the orchestrator: one command to a process,
/// as its wire name and JSON. Only the orchestrator appends process events; clients send it their commands.
/// </summary>
[WireName("process-command.v1")]
public sealed record ProcessCommandSent(ProcessId ProcessId, string Type, string Json);

/// <summary>
/// The orchestrator's answer, once the command's events are stored: accepted (<paramref name="Dropped"/> says why
/// nothing was recorded, e.g. a duplicate), or refused by the process (<paramref name="Refusal"/> and its <paramref name="Error"/>).
/// </summary>
[WireName("process-command-answer.v1")]
public sealed record ProcessCommandAnswered(ProcessId ProcessId, string? Refusal, string? Error, string? Dropped);
