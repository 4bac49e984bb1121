using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Storage;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// The orchestrator's end of the clients' commands: each goes to the process's mailbox, like a worker's result, and is
/// answered once its events are stored. A refusal is an answer; a store failure is thrown, so the broker redelivers
/// (a command delivered twice is decided twice: the second start of a process is refused as already started).
/// In a sharded deployment, a command for a process of a shard owned elsewhere is handed on to that shard's queue,
/// with its request's headers: the owner answers the client.
/// </summary>
public sealed class ProcessCommandConsumer(ProcessRuntime runtime, ShardRouting? shards = null) : IConsumer<ProcessCommandSent>
{
    public async Task Consume(ConsumeContext<ProcessCommandSent> context)
    {
        var sent = context.Message;
        if (shards is not null && !shards.IsHere(sent.ProcessId))
        {
            await context.Forward(shards.AddressOf(sent.ProcessId));
            return;
        }
        ProcessCommandAnswered answer;
        try
        {
            var command = CommandSerializer.Instance.Deserialize(sent.Type, sent.Json);
            if (command.ProcessId != sent.ProcessId)
                throw DomainError.Named("process-mismatch", $"The command names process {command.ProcessId}, its envelope {sent.ProcessId}.");
            var decision = await runtime.SendAsync(command);
            answer = new ProcessCommandAnswered(sent.ProcessId, null, null, decision.Dropped?.ToString());
        }
        catch (DomainError refused)
        {
            answer = new ProcessCommandAnswered(sent.ProcessId, refused.Name, refused.Message, null);
        }
        await context.RespondAsync(answer);
    }
}
