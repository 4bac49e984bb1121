using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Contracts;
using Orchestration.DataProcessing.Workers;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;

namespace Orchestration.Tests.Runtime;

/// <summary>An embedded engine on a temporary directory that runs graphs over small CSV inputs (dataset <c>in</c>) to their end.</summary>
internal sealed class EmbeddedRun : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private EmbeddedRun(TempDirectory dir, EmbeddedEngine engine) => (_dir, Engine) = (dir, engine);

    public EmbeddedEngine Engine { get; }

    /// <summary>A map of one SQL task per input and a reduce over their partial sums: one output row.</summary>
    public static readonly ProcessGraph SumOfInputs = ProcessGraph.Define("sum", 1)
        .Map("map", DataSource.Dataset("in"), StepWork.Sql("SELECT sum(n)::BIGINT AS s FROM input"))
        .Reduce("total", DataSource.Step("map"), StepWork.Sql("SELECT sum(s)::BIGINT AS total, count(*)::BIGINT AS parts FROM partials"), s => s.As("partials"))
        .Build();

    public static async Task<EmbeddedRun> StartAsync(int workers, params ICodeStep[] steps)
    {
        var dir = new TempDirectory();
        var options = new EngineOptions(dir["data"], workers, FlushToDisk: false, ShutdownGrace: TimeSpan.FromMilliseconds(200));
        return new EmbeddedRun(dir, await EmbeddedEngine.StartAsync(options, steps.Aggregate(new OrchestrationBuilder(), (b, step) => b.AddStep(step)).Build()));
    }

    public async Task<ProcessState> RunAsync(ProcessGraph graph, int inputs)
    {
        var blobs = new List<BlobRef>();
        for (var i = 0; i < inputs; i++)
            blobs.Add(await Engine.Blobs.PutAsync($"inputs/{Guid.NewGuid():N}.csv", new MemoryStream("n\n1\n2\n"u8.ToArray()), 2));
        var id = ProcessId.From($"p-{Guid.NewGuid():N}");
        await Engine.StartOrResumeAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = blobs }, new Dictionary<string, string>()));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await Engine.WaitForEndAsync(id, cancellationToken: deadline.Token);
    }

    public async Task<IReadOnlyList<IProcessEvent>> HistoryAsync(ProcessId id) =>
        (await Engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(id)).ToListAsync()).Select(e => e.Event).ToList();

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        _dir.Dispose();
    }
}
