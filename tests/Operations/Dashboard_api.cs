using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Operations.Dashboard;
using Orchestration.Runtime;
using Orchestration.Processes;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>
/// The dashboard's JSON API over an embedded engine that ran one process to completion and one to failure:
/// status codes, the shape of the JSON, and errors that say what to do.
/// </summary>
public sealed class Dashboard_api : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private EmbeddedEngine _engine = null!;
    private DashboardSources _sources = null!;
    private DashboardServer _dashboard = null!;
    private HttpClient _http = null!;
    private ProcessId _completed, _failed;

    public async Task InitializeAsync()
    {
        _engine = await EmbeddedEngine.StartAsync(new EngineOptions(_dir["data"], Workers: 2, FlushToDisk: false, ShutdownGrace: TimeSpan.FromMilliseconds(200)));
        _completed = await RunAsync("sum", "SELECT sum(n)::BIGINT AS s FROM input");
        _failed = await RunAsync("broken", "SELECT no_such_column FROM input");
        var depth = new RabbitMqManagement.QueueDepth("run-task", 7, 2, 3);
        _sources = new DashboardSources(_engine.Events, new FoldedProcessList(_engine.Events), _engine.Workers, "run-task", _ => Task.FromResult<RabbitMqManagement.QueueDepth?>(depth));
        _dashboard = new DashboardServer(DashboardSettings.Parse("http://127.0.0.1:0"), _sources);
        await _dashboard.StartAsync(CancellationToken.None);
        _http = new HttpClient { BaseAddress = _dashboard.Addresses[0] };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _dashboard.StopAsync(CancellationToken.None);
        await _dashboard.DisposeAsync();
        await _engine.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<ProcessId> RunAsync(string graphName, string mapSql)
    {
        var graph = ProcessGraph.Define(graphName, 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Sql(mapSql))
            .Reduce("total", DataSource.Step("map"), StepWork.Sql("SELECT sum(s)::BIGINT AS total FROM partials"), s => s.As("partials"))
            .Build();
        var inputs = new List<BlobRef>();
        for (var i = 0; i < 2; i++)
            inputs.Add(await _engine.Blobs.PutAsync($"{graphName}/{i}.csv", new MemoryStream("n\n1\n2\n"u8.ToArray()), 2));
        var id = ProcessId.From($"{graphName}-{Guid.NewGuid():N}"[..20]);
        await _engine.StartOrResumeAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = inputs }, new Dictionary<string, string>()));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _engine.WaitForEndAsync(id, cancellationToken: deadline.Token);
        return id;
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json", path);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task The_process_lists_projection_counts_what_the_full_fold_of_each_stream_counts()
    {
        foreach (var id in new[] { _completed, _failed })
        {
            var events = await _engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(id)).Select(e => e.Event).ToListAsync();
            var report = events.Aggregate(new ProcessReport(), (r, e) => r.Apply(e));

            events.Aggregate((ProcessProgress?)null, ProcessProgress.Fold).Should().Be(report.Progress(), $"the projection of {id} agrees with its report");
        }
    }

    [Fact]
    public async Task Processes_come_a_page_at_a_time_newest_first_with_the_total_in_headers()
    {
        using var first = await _http.GetAsync("/api/processes?page=1&size=1");
        using var second = await _http.GetAsync("/api/processes?page=2&size=1");
        using var bad = await _http.GetAsync("/api/processes?size=5000");

        first.Headers.GetValues("X-Total-Count").Should().Equal("2");
        first.Headers.GetValues("X-Page-Count").Should().Equal("2");
        (await first.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal(_failed.Value);
        (await second.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal(_completed.Value);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Be("'page' must be 1 or more and 'size' between 1 and 1000.");
    }

    [Fact]
    public async Task Processes_lists_each_process_with_its_graph_status_and_progress()
    {
        var (status, json) = await GetAsync("/api/processes");

        status.Should().Be(HttpStatusCode.OK);
        var completed = json.EnumerateArray().Single(p => p.GetProperty("id").GetString() == _completed.Value);
        completed.GetProperty("graph").GetString().Should().Be("sum");
        completed.GetProperty("status").GetString().Should().Be("completed");
        completed.GetProperty("confirmedTasks").GetInt32().Should().Be(3);
        completed.GetProperty("tasks").GetInt32().Should().Be(3);
        completed.GetProperty("completedSteps").GetInt32().Should().Be(2);
        var failed = json.EnumerateArray().Single(p => p.GetProperty("id").GetString() == _failed.Value);
        failed.GetProperty("status").GetString().Should().Be("failed");
        failed.GetProperty("reason").GetString().Should().Contain("no_such_column");
    }

    [Fact]
    public async Task A_process_shows_each_step_with_its_progress_retries_and_failures_with_their_reasons()
    {
        var (status, json) = await GetAsync($"/api/processes/{_failed}");

        status.Should().Be(HttpStatusCode.OK);
        json.GetProperty("process").GetProperty("failedAttempts").GetInt32().Should().BeGreaterThan(0);
        var map = json.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "map");
        map.GetProperty("status").GetString().Should().Be("failed");
        map.GetProperty("tasks").GetInt32().Should().Be(2);
        map.GetProperty("retries").GetInt32().Should().Be(0, "a binder error is not retryable");
        map.GetProperty("failedAttempts").GetInt32().Should().BeGreaterThan(0);
        map.GetProperty("failures").EnumerateArray().Should().Contain(f => f.GetString()!.Contains("no_such_column"));
        map.GetProperty("failureReason").GetString().Should().Contain("no_such_column");

        var (_, completed) = await GetAsync($"/api/processes/{_completed}");
        completed.GetProperty("steps").EnumerateArray().Select(s => $"{s.GetProperty("name").GetString()} {s.GetProperty("confirmed").GetInt32()}/{s.GetProperty("tasks").GetInt32()}")
            .Should().BeEquivalentTo("map 2/2", "total 1/1");
    }

    [Fact]
    public async Task The_events_of_a_process_read_as_sentences_and_page_on_after_a_version()
    {
        var (status, json) = await GetAsync($"/api/processes/{_completed}/events");

        status.Should().Be(HttpStatusCode.OK);
        var events = json.EnumerateArray().ToList();
        events[0].GetProperty("version").GetInt64().Should().Be(1);
        events[0].GetProperty("type").GetString().Should().Be("process-started.v1");
        events[0].GetProperty("text").GetString().Should().Be($"Process {_completed} started graph 'sum' v1 with 2 step(s)");
        events[^1].GetProperty("type").GetString().Should().Be("process-completed.v1");

        var (_, page) = await GetAsync($"/api/processes/{_completed}/events?after=2&limit=2");
        page.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).Should().Equal(3, 4);
    }

    [Theory]
    [InlineData("/api/processes/no-such-process")]
    [InlineData("/api/processes/no-such-process/events")]
    public async Task An_unknown_process_is_a_404_that_says_where_to_find_the_processes(string path)
    {
        var (status, json) = await GetAsync(path);

        status.Should().Be(HttpStatusCode.NotFound);
        json.GetProperty("error").GetString().Should().Be("No process 'no-such-process'. GET /api/processes lists the processes there are.");
    }

    [Fact]
    public async Task A_bad_page_request_and_an_unknown_endpoint_are_answered_in_json()
    {
        var (badPage, badJson) = await GetAsync($"/api/processes/{_completed}/events?limit=0");
        var (unknown, unknownJson) = await GetAsync("/api/nothing-here");

        badPage.Should().Be(HttpStatusCode.BadRequest);
        badJson.GetProperty("error").GetString().Should().Contain("'limit' between 1 and 1000");
        unknown.Should().Be(HttpStatusCode.NotFound);
        unknownJson.GetProperty("error").GetString().Should().Contain("/api/workers");
    }

    [Fact]
    public async Task Workers_lists_the_embedded_engines_worker_and_queue_gives_the_depth()
    {
        await Eventually.True(() => _engine.Workers.Live().Count == 1, TimeSpan.FromSeconds(10), "the in-process worker's first beat");

        var (status, workers) = await GetAsync("/api/workers");
        var (_, queue) = await GetAsync("/api/queue");

        status.Should().Be(HttpStatusCode.OK);
        var worker = workers.EnumerateArray().Should().ContainSingle().Subject;
        worker.GetProperty("id").GetString().Should().StartWith("local-");
        worker.GetProperty("labels").GetProperty("mode").GetString().Should().Be("embedded");
        worker.GetProperty("slots").GetInt32().Should().Be(2);
        worker.GetProperty("running").GetArrayLength().Should().Be(0);
        queue.GetProperty("queue").GetString().Should().Be("run-task");
        (queue.GetProperty("ready").GetInt64(), queue.GetProperty("unacknowledged").GetInt64(), queue.GetProperty("consumers").GetInt32()).Should().Be((7L, 2L, 3));
    }

    [Fact]
    public async Task The_page_is_served_at_the_root()
    {
        using var response = await _http.GetAsync("/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<title>Orchestration dashboard</title>");
    }

    [Fact]
    public async Task A_dashboard_whose_address_is_taken_serves_nothing_and_lets_its_orchestrator_run_on()
    {
        await using var second = new DashboardServer(DashboardSettings.Parse(_dashboard.Addresses[0].GetLeftPart(UriPartial.Authority)), _sources);

        await second.StartAsync(CancellationToken.None);

        second.Addresses.Should().BeEmpty();
    }
}
