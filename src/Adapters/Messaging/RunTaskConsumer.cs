using MassTransit;
using Orchestration.Contracts.Messages;
using Orchestration.DataProcessing.Workers;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// A worker's end of the task queue: competes for <see cref="RunTask"/>, runs it, and publishes
/// <see cref="TaskCompleted"/> or <see cref="TaskFailed"/>. A task that is cancelled by shutdown is not
/// acknowledged, so the broker hands it to another worker.
/// </summary>
public sealed class RunTaskConsumer(TaskRunner runner) : IConsumer<RunTask>
{
    public async Task Consume(ConsumeContext<RunTask> context)
    {
        var outcome = await runner.RunAsync(context.Message, context.CancellationToken);
        if (outcome.Completed is { } completed) await context.Publish(completed);
        else await context.Publish(outcome.Failed!);
    }
}
