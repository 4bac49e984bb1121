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
public sealed class Dashboard_api : DashboardOverAnEngine
{
    [Fact]
    public async Task The_process_lists_projection_counts_what_the_full_fold_of_each_stream_counts()
    {
        foreach (var id in new[] { Completed, Failed })
        {
            var events = await Engine.Events.ReadStreamAsync(ProcessStreams.StreamOf(id)).Select(e => e.Event).ToListAsync();
            var report = events.Aggregate(new ProcessReport(), (r, e) => r.Apply(e));

            events.Aggregate((ProcessProgress?)null, ProcessProgress.Fold).Should().Be(report.Progress(), $"the projection of {id} agrees with its report");
        }
    }

    [Fact]
    public async Task Processes_come_a_page_at_a_time_newest_first_with_the_total_in_headers()
    {
        using var first = await Http.GetAsync("/api/processes?page=1&size=1");
        using var second = await Http.GetAsync("/api/processes?page=2&size=1");
        using var bad = await Http.GetAsync("/api/processes?size=5000");

        first.Headers.GetValues("X-Total-Count").Should().Equal("2");
        first.Headers.GetValues("X-Page-Count").Should().Equal("2");
        (await first.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal(Failed.Value);
        (await second.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal(Completed.Value);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Be("'page' must be 1 or more and 'size' between 1 and 1000.");
    }

    [Fact]
    public async Task Processes_lists_each_process_with_its_graph_status_and_progress()
    {
        var (status, json) = await GetAsync("/api/processes");

        status.Should().Be(HttpStatusCode.OK);
        var completed = json.EnumerateArray().Single(p => p.GetProperty("id").GetString() == Completed.Value);
        completed.GetProperty("graph").GetString().Should().Be("sum");
        completed.GetProperty("status").GetString().Should().Be("completed");
        completed.GetProperty("confirmedTasks").GetInt32().Should().Be(3);
        completed.GetProperty("tasks").GetInt32().Should().Be(3);
        completed.GetProperty("completedSteps").GetInt32().Should().Be(2);
        var failed = json.EnumerateArray().Single(p => p.GetProperty("id").GetString() == Failed.Value);
        failed.GetProperty("status").GetString().Should().Be("failed");
        failed.GetProperty("reason").GetString().Should().Contain("no_such_column");
    }

    [Fact]
    public async Task A_process_shows_each_step_with_its_progress_retries_and_failures_with_their_reasons()
    {
        var (status, json) = await GetAsync($"/api/processes/{Failed}");

        status.Should().Be(HttpStatusCode.OK);
        json.GetProperty("process").GetProperty("failedAttempts").GetInt32().Should().BeGreaterThan(0);
        var map = json.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "map");
        map.GetProperty("status").GetString().Should().Be("failed");
        map.GetProperty("tasks").GetInt32().Should().Be(2);
        map.GetProperty("retries").GetInt32().Should().Be(0, "a binder error is not retryable");
        map.GetProperty("failedAttempts").GetInt32().Should().BeGreaterThan(0);
        map.GetProperty("failures").EnumerateArray().Should().Contain(f => f.GetString()!.Contains("no_such_column"));
        map.GetProperty("failureReason").GetString().Should().Contain("no_such_column");

        var (_, completed) = await GetAsync($"/api/processes/{Completed}");
        completed.GetProperty("steps").EnumerateArray().Select(s => $"{s.GetProperty("name").GetString()} {s.GetProperty("confirmed").GetInt32()}/{s.GetProperty("tasks").GetInt32()}")
            .Should().BeEquivalentTo("map 2/2", "total 1/1");
    }

    [Fact]
    public async Task The_events_of_a_process_read_as_sentences_and_page_on_after_a_version()
    {
        var (status, json) = await GetAsync($"/api/processes/{Completed}/events");

        status.Should().Be(HttpStatusCode.OK);
        var events = json.EnumerateArray().ToList();
        events[0].GetProperty("version").GetInt64().Should().Be(1);
        events[0].GetProperty("type").GetString().Should().Be("process-started.v1");
        events[0].GetProperty("text").GetString().Should().Be($"Process {Completed} started graph 'sum' v1 with 2 step(s)");
        events[^1].GetProperty("type").GetString().Should().Be("process-completed.v1");

        var (_, page) = await GetAsync($"/api/processes/{Completed}/events?after=2&limit=2");
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
        var (badPage, badJson) = await GetAsync($"/api/processes/{Completed}/events?limit=0");
        var (unknown, unknownJson) = await GetAsync("/api/nothing-here");

        badPage.Should().Be(HttpStatusCode.BadRequest);
        badJson.GetProperty("error").GetString().Should().Contain("'limit' between 1 and 1000");
        unknown.Should().Be(HttpStatusCode.NotFound);
        unknownJson.GetProperty("error").GetString().Should().Contain("/api/workers");
    }

    [Fact]
    public async Task Workers_lists_the_embedded_engines_worker_and_queue_gives_the_depth()
    {
        await Eventually.True(() => Engine.Workers.Live().Count == 1, TimeSpan.FromSeconds(10), "the in-process worker's first beat");

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
        using var response = await Http.GetAsync("/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<title>Orchestration dashboard</title>");
    }

    [Fact]
    public async Task A_dashboard_whose_address_is_taken_serves_nothing_and_lets_its_orchestrator_run_on()
    {
        await using var second = new DashboardServer(DashboardSettings.Parse(Dashboard.Addresses[0].GetLeftPart(UriPartial.Authority)), Sources);

        await second.StartAsync(CancellationToken.None);

        second.Addresses.Should().BeEmpty();
    }
}
