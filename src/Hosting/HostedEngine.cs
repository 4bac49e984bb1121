using Microsoft.Extensions.DependencyInjection;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Runtime;

namespace Orchestration.Hosting;

/// <summary>
/// The engine running inside a program's own host (<c>AddOrchestration</c>, embedded role): the same client surface as
/// <see cref="EmbeddedEngine"/>, over the host's services. The host owns and stops everything.
/// </summary>
internal sealed class HostedEngine(IServiceProvider services) : Engine
{
    public override IEventStore Events => services.GetRequiredService<IEventStore>();
    public override IBlobStore Blobs => services.GetRequiredService<IBlobStore>();
    public override async Task SendAsync(Processes.IProcessCommand command, CancellationToken cancellationToken = default) =>
        await services.GetRequiredService<ProcessRuntime>().SendAsync(command).WaitAsync(cancellationToken);
    /// <inheritdoc/>
    public override Task<Orchestration.Retention.PruneReport> PruneAsync(Orchestration.Retention.PruneRequest request, CancellationToken cancellationToken = default) =>
        services.GetRequiredService<Retention.Pruner>().PruneAsync(request, cancellationToken);
    public override RuntimeCounters Counters => services.GetRequiredService<ProcessRuntime>().Counters;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
