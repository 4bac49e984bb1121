using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>
/// The dashboard's timeline (task attempts per worker), its live feed of changes (server-sent events) and its process
/// search.
/// </summary>
public sealed class Dashboard_timeline_and_live : DashboardOverAnEngine
{
    [Fact]
    public async Task The_timeline_draws_each_attempt_on_the_worker_that_ran_it_from_queued_to_confirmed()
    {
        var timeline = await JsonAsync($"/api/processes/{Completed}/timeline");

        timeline.GetProperty("attempts").GetInt32().Should().Be(3);
        timeline.GetProperty("outcomes").GetProperty("confirmed").GetInt32().Should().Be(3);
        timeline.GetProperty("bins").ValueKind.Should().Be(JsonValueKind.Null, "three attempts are drawn one by one");
        var worker = Engine.Workers.Live().Single().Id.Value;
        timeline.GetProperty("lanes").EnumerateArray().Select(l => l.GetString()).Should().Equal(worker);
        var bars = timeline.GetProperty("bars").EnumerateArray().ToList();
        bars.Select(b => b.GetProperty("task").GetString()).Should().BeEquivalentTo($"{Completed}/map/0", $"{Completed}/map/1", $"{Completed}/total/0");
        foreach (var bar in bars)
        {
            bar.GetProperty("lane").GetString().Should().Be(worker);
            bar.GetProperty("outcome").GetString().Should().Be("confirmed");
            var (queued, started, ended) = (bar.GetProperty("queued").GetDateTimeOffset(), bar.GetProperty("started").GetDateTimeOffset(), bar.GetProperty("ended").GetDateTimeOffset());
            started.Should().BeOnOrAfter(queued);
            ended.Should().BeOnOrAfter(started);
        }
        var merge = bars.Single(b => b.GetProperty("step").GetString() == "total");
        merge.GetProperty("queued").GetDateTimeOffset().Should().BeOnOrAfter(bars.Where(b => b.GetProperty("step").GetString() == "map").Max(b => b.GetProperty("ended").GetDateTimeOffset()),
            "the reduce is scheduled once the map's tasks are confirmed");
    }

    [Fact]
    public async Task A_failed_attempt_ends_red_on_its_worker_and_past_the_bar_limit_lanes_come_in_bins()
    {
        var failed = await JsonAsync($"/api/processes/{Failed}/timeline");
        var binned = await JsonAsync($"/api/processes/{Completed}/timeline?bars=2&bins=10");

        failed.GetProperty("outcomes").GetProperty("failed").GetInt32().Should().BeGreaterThan(0);
        failed.GetProperty("bars").EnumerateArray().Should().Contain(b => b.GetProperty("outcome").GetString() == "failed" && b.GetProperty("lane").GetString()!.StartsWith("local-"));
        binned.GetProperty("bars").ValueKind.Should().Be(JsonValueKind.Null);
        var lane = binned.GetProperty("bins").EnumerateArray().Should().ContainSingle().Subject;
        lane.GetProperty("busy").GetArrayLength().Should().Be(10);
        lane.GetProperty("busy").EnumerateArray().Sum(b => b.GetDouble()).Should().BeGreaterThan(0);
        lane.GetProperty("failed").EnumerateArray().Sum(f => f.GetInt32()).Should().Be(0);
        (await JsonAsync($"/api/processes/{Completed}/timeline?bins=0", HttpStatusCode.BadRequest)).GetProperty("error").GetString().Should().Be("'bars' must be between 0 and 10000 and 'bins' between 1 and 1000.");
        (await JsonAsync("/api/processes/no-such-process/timeline", HttpStatusCode.NotFound)).GetProperty("error").GetString().Should().StartWith("No process 'no-such-process'.");
    }

    [Fact]
    public async Task The_live_feed_names_a_process_when_its_events_are_stored()
    {
        using var response = await Http.GetAsync("/api/live", HttpCompletionOption.ResponseHeadersRead);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var items = SseParser.Create(stream, (type, data) => (Type: type, Change: JsonSerializer.Deserialize<JsonElement>(data))).EnumerateAsync(deadline.Token).GetAsyncEnumerator(deadline.Token);

        (await items.MoveNextAsync()).Should().BeTrue();
        items.Current.Data.Type.Should().Be("change", "the feed opens with the store's position");
        var opened = items.Current.Data.Change.GetProperty("position").GetInt64();
        var started = await StartAsync("live", "SELECT sum(n)::BIGINT AS s FROM input");

        var named = new List<string>();
        while (!named.Contains(started.Value) && await items.MoveNextAsync())
        {
            if (items.Current.Data.Type != "change") continue;
            items.Current.Data.Change.GetProperty("position").GetInt64().Should().BeGreaterThan(opened);
            named.AddRange(items.Current.Data.Change.GetProperty("processes").EnumerateArray().Select(p => p.GetString()!));
        }
        named.Should().Contain(started.Value).And.NotContain(Completed.Value, "only processes with new events are named");
    }

    [Fact]
    public async Task Processes_are_found_by_part_of_their_id_and_the_time_they_started()
    {
        var started = (await JsonAsync($"/api/processes/{Completed}")).GetProperty("process").GetProperty("startedAt").GetDateTimeOffset();
        string[] Ids(JsonElement list) => list.EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

        Ids(await JsonAsync($"/api/processes?id={Completed.Value[4..12]}")).Should().Equal(Completed.Value);
        Ids(await JsonAsync("/api/processes?id=broken-")).Should().Equal(Failed.Value);
        Ids(await JsonAsync($"/api/processes?from={At(started)}&to={At(started.AddTicks(1))}")).Should().Equal(Completed.Value);
        Ids(await JsonAsync($"/api/processes?from={At(DateTimeOffset.UtcNow.AddHours(1))}")).Should().BeEmpty();
        Ids(await JsonAsync($"/api/processes?to={At(DateTimeOffset.UtcNow.AddHours(1))}&status=failed")).Should().Equal(Failed.Value);
        (await JsonAsync("/api/processes?from=yesterday", HttpStatusCode.BadRequest)).GetProperty("error").GetString()
            .Should().Be("'from' and 'to' are times such as 2026-12-01 or 2026-12-01T08:30:00Z (got 'yesterday').");
    }
}
