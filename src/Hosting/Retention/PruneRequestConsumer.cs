using System.Text.Json;
using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.Retention;
using Orchestration.Storage;

namespace Orchestration.Hosting.Retention;

/// <summary>The orchestrator's end of a client's prune: runs it here, beside the writers, and answers with its report or refusal.</summary>
public sealed class PruneRequestConsumer(Pruner pruner) : IConsumer<PruneRequested>
{
    /// <inheritdoc/>
    public async Task Consume(ConsumeContext<PruneRequested> context)
    {
        PruneAnswered answer;
        try
        {
            var request = JsonSerializer.Deserialize<PruneRequest>(context.Message.Json, EventSerializer.Options)
                ?? throw new PruneRefusedException("The prune request was empty.");
            var report = await pruner.PruneAsync(request, context.CancellationToken);
            answer = new PruneAnswered(JsonSerializer.Serialize(report, EventSerializer.Options), null);
        }
        catch (PruneRefusedException refused)
        {
            answer = new PruneAnswered(null, refused.Message);
        }
        await context.RespondAsync(answer);
    }
}
