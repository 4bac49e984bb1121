using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
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
/// The dashboard's actions, filters and time travel over an embedded engine with a process that waits for a C# step no
/// worker has (so it runs until acted on) and one that completed: without an operator token the dashboard is read-only
/// and refuses every action; with one, an action without the token or with another is refused, and with it the same
/// command as the CLI's is recorded with its reason. The list filters by status and graph; a process reads as it stood
/// after any of its events.
/// </summary>
public sealed class Dashboard_actions : IAsyncLifetime
{
    private const string Token = "test-operator-token-4f1c";
    private readonly TempDirectory _dir = new();
    private EmbeddedEngine _engine = null!;
    private DashboardServer _readOnly = null!, _operated = null!;
    private HttpClient _readOnlyHttp = null!, _http = null!;
    private ProcessId _waiting, _completed;

    public async Task InitializeAsync()
    {
        _engine = await EmbeddedEngine.StartAsync(new EngineOptions(_dir["data"], Workers: 1, FlushToDisk: false, ShutdownGrace: TimeSpan.FromMilliseconds(200)));
        var input = await _engine.Blobs.PutAsync("in/0.csv", new MemoryStream("n\n1\n2\n"u8.ToArray()), 2);
        var datasets = new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = [input] };
        _completed = ProcessId.From("sum-1");
        await _engine.SendAsync(new StartProcess(_completed, ProcessGraph.Define("sum", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Sql("SELECT sum(n)::BIGINT AS s FROM input")).Build(), datasets, new Dictionary<string, string>()));
        await _engine.WaitForEndAsync(_completed);
        _waiting = ProcessId.From("waiting-1");
        await _engine.SendAsync(new StartProcess(_waiting, ProcessGraph.Define("waits", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code("nobody-has-this-step")).Build(), datasets, new Dictionary<string, string>()));
        var sources = new DashboardSources(_engine.Events, new FoldedProcessList(_engine.Events), _engine.Workers, "run-task", null, _engine.Runtime.SendAsync);
        _readOnly = new DashboardServer(DashboardSettings.Parse("http://127.0.0.1:0"), sources);
        _operated = new DashboardServer(DashboardSettings.Parse("http://127.0.0.1:0") with { Token = Token }, sources);
        await _readOnly.StartAsync(CancellationToken.None);
        await _operated.StartAsync(CancellationToken.None);
        (_readOnlyHttp, _http) = (new HttpClient { BaseAddress = _readOnly.Addresses[0] }, new HttpClient { BaseAddress = _operated.Addresses[0] });
    }

    public async Task DisposeAsync()
    {
        _readOnlyHttp.Dispose();
        _http.Dispose();
        foreach (var server in new[] { _readOnly, _operated })
        {
            await server.StopAsync(CancellationToken.None);
            await server.DisposeAsync();
        }
        await _engine.DisposeAsync();
        _dir.Dispose();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(HttpClient http, string path, string? token, string? reason = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = reason is null ? null : JsonContent.Create(new { reason }) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<ProcessStatus> StatusOf(ProcessId id) => (await _engine.Events.LoadAsync(id)).Status;

    [Fact]
    public async Task Without_an_operator_token_the_dashboard_is_read_only_and_says_so()
    {
        var actions = await _readOnlyHttp.GetFromJsonAsync<JsonElement>("/api/actions");
        var (status, json) = await PostAsync(_readOnlyHttp, $"/api/processes/{_waiting}/cancel", Token);

        actions.GetProperty("enabled").GetBoolean().Should().BeFalse();
        actions.GetProperty("why").GetString().Should().Contain("Orchestration__Dashboard__Token");
        status.Should().Be(HttpStatusCode.Forbidden);
        json.GetProperty("error").GetString().Should().Contain("read-only");
        (await StatusOf(_waiting)).Should().Be(ProcessStatus.Running, "nothing was sent");
    }

    [Fact]
    public async Task An_action_without_the_token_or_with_another_is_refused_and_changes_nothing()
    {
        var (none, noneJson) = await PostAsync(_http, $"/api/processes/{_waiting}/pause", token: null);
        var (wrong, _) = await PostAsync(_http, $"/api/processes/{_waiting}/cancel", "guessed");

        none.Should().Be(HttpStatusCode.Unauthorized);
        noneJson.GetProperty("error").GetString().Should().Contain("Authorization: Bearer");
        wrong.Should().Be(HttpStatusCode.Unauthorized);
        (await StatusOf(_waiting)).Should().Be(ProcessStatus.Running);
        (await _http.GetFromJsonAsync<JsonElement>("/api/actions")).GetProperty("enabled").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task With_the_token_pause_resume_and_cancel_are_recorded_with_their_reasons_and_a_refusal_says_why()
    {
        (await PostAsync(_http, $"/api/processes/{_waiting}/pause", Token, "checking the source")).Status.Should().Be(HttpStatusCode.OK);
        (await StatusOf(_waiting)).Should().Be(ProcessStatus.Paused);
        (await PostAsync(_http, $"/api/processes/{_waiting}/resume", Token)).Status.Should().Be(HttpStatusCode.OK);
        var (cancelled, _) = await PostAsync(_http, $"/api/processes/{_waiting}/cancel", Token, "wrong step");
        var (again, againJson) = await PostAsync(_http, $"/api/processes/{_waiting}/cancel", Token);
        var (unknown, _) = await PostAsync(_http, "/api/processes/nope/cancel", Token);

        cancelled.Should().Be(HttpStatusCode.OK);
        var state = await _engine.Events.LoadAsync(_waiting);
        state.Status.Should().Be(ProcessStatus.Cancelled);
        state.EndReason.Should().StartWith("wrong step (from the dashboard");
        var history = (await _engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(_waiting)).ToListAsync()).Select(e => e.Event.ToString()).ToList();
        history.Should().Contain(e => e!.Contains("paused: checking the source (from the dashboard")).And.Contain(e => e!.Contains("resumed: resume from the dashboard"));
        again.Should().Be(HttpStatusCode.Conflict);
        againJson.GetProperty("error").GetString().Should().Contain("has already ended");
        unknown.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_list_filters_by_status_and_graph_and_a_process_reads_as_it_stood_after_an_event()
    {
        var running = await _http.GetFromJsonAsync<JsonElement>("/api/processes?status=running");
        var ofSum = await _http.GetFromJsonAsync<JsonElement>("/api/processes?graph=sum");
        using var bad = await _http.GetAsync("/api/processes?status=sleeping");
        var before = await _http.GetFromJsonAsync<JsonElement>($"/api/processes/{_completed}?at=1");
        var now = await _http.GetFromJsonAsync<JsonElement>($"/api/processes/{_completed}");

        running.EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal(_waiting.Value);
        ofSum.EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal(_completed.Value);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        before.GetProperty("process").GetProperty("status").GetString().Should().Be("running", "after its first event the process had only started");
        before.GetProperty("process").GetProperty("confirmedTasks").GetInt32().Should().Be(0);
        now.GetProperty("process").GetProperty("status").GetString().Should().Be("completed");
        now.GetProperty("process").GetProperty("confirmedTasks").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task A_steps_tasks_come_a_page_at_a_time_and_an_unknown_step_says_where_the_steps_are()
    {
        var tasks = await _http.GetFromJsonAsync<JsonElement>($"/api/processes/{_completed}/steps/map/tasks?page=1&size=10");
        using var unknown = await _http.GetAsync($"/api/processes/{_completed}/steps/nope/tasks");
        using var bad = await _http.GetAsync($"/api/processes/{_completed}/steps/map/tasks?size=0");

        tasks.GetProperty("total").GetInt32().Should().Be(1);
        var task = tasks.GetProperty("tasks").EnumerateArray().Single();
        (task.GetProperty("id").GetString(), task.GetProperty("status").GetString(), task.GetProperty("attempt").GetInt32()).Should().Be(($"{_completed}/map/0", "confirmed", 1));
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("lists its steps");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
