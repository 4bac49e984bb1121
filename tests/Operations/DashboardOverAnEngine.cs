using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Hosting;
using Orchestration.Operations.Dashboard;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>
/// A dashboard over an embedded engine that really ran one process to completion (<c>sum</c>) and one to failure
/// (<c>broken</c>, a binder error): a fresh engine and dashboard for each test.
/// </summary>
public abstract class DashboardOverAnEngine : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    protected EmbeddedEngine Engine { get; private set; } = null!;
    protected DashboardSources Sources { get; private set; } = null!;
    protected DashboardServer Dashboard { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;
    protected ProcessId Completed { get; private set; }
    protected ProcessId Failed { get; private set; }

    public async Task InitializeAsync()
    {
        Engine = await EmbeddedEngine.StartAsync(new EngineOptions(_dir["data"], Workers: 2, FlushToDisk: false, ShutdownGrace: TimeSpan.FromMilliseconds(200)));
        Completed = await RunAsync("sum", "SELECT sum(n)::BIGINT AS s FROM input");
        Failed = await RunAsync("broken", "SELECT no_such_column FROM input");
        var depth = new RabbitMqManagement.QueueDepth("run-task", 7, 2, 3);
        Sources = new DashboardSources(Engine.Events, new FoldedProcessList(Engine.Events), Engine.Workers, "run-task", _ => Task.FromResult<RabbitMqManagement.QueueDepth?>(depth));
        Dashboard = new DashboardServer(DashboardSettings.Parse("http://127.0.0.1:0"), Sources);
        await Dashboard.StartAsync(CancellationToken.None);
        Http = new HttpClient { BaseAddress = Dashboard.Addresses[0] };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Dashboard.StopAsync(CancellationToken.None);
        await Dashboard.DisposeAsync();
        await Engine.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Starts a map over two small CSV parts (distinct bytes each time: nothing is reused) and a reduce of their sums.</summary>
    protected async Task<ProcessId> StartAsync(string graphName, string mapSql)
    {
        var graph = ProcessGraph.Define(graphName, 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Sql(mapSql))
            .Reduce("total", DataSource.Step("map"), StepWork.Sql("SELECT sum(s)::BIGINT AS total FROM partials"), s => s.As("partials"))
            .Build();
        var inputs = new List<BlobRef>();
        for (var i = 0; i < 2; i++)
            inputs.Add(await Engine.Blobs.PutAsync($"{graphName}/{Guid.NewGuid():N}/{i}.csv", new MemoryStream("n\n1\n2\n"u8.ToArray()), 2));
        var id = ProcessId.From($"{graphName}-{Guid.NewGuid():N}"[..20]);
        await Engine.StartOrResumeAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = inputs }, new Dictionary<string, string>()));
        return id;
    }

    protected async Task<ProcessId> RunAsync(string graphName, string mapSql)
    {
        var id = await StartAsync(graphName, mapSql);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Engine.WaitForEndAsync(id, cancellationToken: deadline.Token);
        return id;
    }

    protected async Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json", path);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The JSON of <paramref name="path"/>, which must answer with <paramref name="expected"/>.</summary>
    protected async Task<JsonElement> JsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (status, json) = await GetAsync(path);
        status.Should().Be(expected, json.ToString());
        return json;
    }
}
