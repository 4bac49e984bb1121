using System.CommandLine;
using Orchestration.Runtime;
using Orchestration.Adapters.Embedded;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Adapters.Postgres;
using Orchestration.CommandLine.Commands;
using Orchestration.Ports;

namespace Orchestration.CommandLine;

/// <summary>
/// Which engine the commands talk to: the embedded one on the data directory (the default), or the distributed
/// deployment when configuration says <c>Orchestration:Mode=distributed</c> (e.g. <c>Orchestration__Mode=distributed</c>).
/// </summary>
public static class Engines
{
    public static DistributedSettings Settings { get; } = DistributedSettings.From(DistributedSettings.Load());

    public static string DataDirectory(ParseResult parse) => Path.GetFullPath(parse.GetValue(CommonOptions.Data)!);

    /// <summary>
    /// The engine to run a process on: a client of the deployment, or an embedded engine with the program's C# steps
    /// (<paramref name="setup"/>).
    /// </summary>
    public static async Task<Engine> OpenAsync(ParseResult parse, OrchestrationSetup setup, CancellationToken cancellationToken) =>
        Settings.IsDistributed
            ? await DistributedClient.OpenAsync(Settings, cancellationToken)
            : await EmbeddedEngine.StartAsync(new EngineOptions(DataDirectory(parse), CommonOptions.CheckedWorkers(parse),
                LocalRoots: CommonOptions.CheckedLocalRoots(parse, Settings.Local)), setup, cancellationToken);

    /// <summary>The engine to send a control command to (cancel): the deployment's orchestrator, or an embedded engine on the data directory.</summary>
    public static async Task<Engine> OpenForCommandsAsync(ParseResult parse, OrchestrationSetup setup, CancellationToken cancellationToken) =>
        Settings.IsDistributed
            ? await DistributedClient.OpenAsync(Settings, cancellationToken)
            : await EmbeddedEngine.StartAsync(new EngineOptions(DataDirectory(parse), 1), setup, cancellationToken);

    /// <summary>The program's graphs with the configured schedules (<c>Orchestration:Schedules</c>); a bad schedule is a one-line error naming it.</summary>
    public static OrchestrationSetup WithSchedules(OrchestrationSetup setup) => setup.WithSchedules(Settings);

    /// <summary>The event store to read from, beside a running engine if need be.</summary>
    public static async Task<(IEventStore Store, IAsyncDisposable Owner)> OpenEventsAsync(ParseResult parse)
    {
        var (store, _, owner) = await OpenViewsAsync(parse);
        return (store, owner);
    }

    /// <summary>The event store and its process list (Marten's projection, or one pass over the embedded log).</summary>
    public static async Task<(IEventStore Store, IProcessList Processes, IAsyncDisposable Owner)> OpenViewsAsync(ParseResult parse)
    {
        if (Settings.IsDistributed)
        {
            var stores = await PostgresStores.OpenAsync(Settings.Require(nameof(DistributedSettings.Postgres)));
            return (stores.Events, stores.Processes, stores);
        }
        var directory = Path.Combine(DataDirectory(parse), "events");
        var store = FileEventStore.OpenReadOnly(directory);
        try { await store.RefuseUnnamespacedAsync($"in '{directory}'"); }
        catch { store.Dispose(); throw; }
        return (store, new FoldedProcessList(store, EngineOptions.ProcessListFileOf(DataDirectory(parse))), new Disposing(store));
    }

    /// <summary>The blob store to read archives from: the data directory's, or the deployment's when one is configured; null when there is none.</summary>
    public static DataProcessing.Blobs.IBlobStore? BlobsToRead(ParseResult parse)
    {
        if (Settings.IsDistributed)
            return string.IsNullOrWhiteSpace(Settings.Blobs) ? null : new Adapters.AzureBlob.AzureBlobStore(Settings.Blobs, Settings.BlobContainer);
        var directory = new EngineOptions(DataDirectory(parse), 1).BlobsDirectory;
        return Directory.Exists(directory) ? new DataProcessing.Blobs.LocalBlobStore(directory) : null;
    }

    private sealed class Disposing(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
