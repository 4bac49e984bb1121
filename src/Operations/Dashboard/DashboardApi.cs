using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Orchestration.Adapters.Messaging;
using Orchestration.Contracts;
using Orchestration.Ports;
using Orchestration.Runtime;
using Orchestration.Storage;

namespace Orchestration.Operations.Dashboard;

/// <summary>What the dashboard reads: the event store, its process list, the live workers, and the task queue's depth where there is a broker.</summary>
/// <param name="Send">Where the actions' commands go (the orchestrator's runtime); null for a dashboard that only reads.</param>
public sealed record DashboardSources(IEventStore Events, IProcessList Processes, WorkerRegistry Workers, string TaskQueue, Func<CancellationToken, Task<RabbitMqManagement.QueueDepth?>>? QueueDepth,
    Func<Processes.IProcessCommand, Task>? Send = null);

/// <summary>A stored event as the history shows it: its version in the stream, when, its wire name and its sentence.</summary>
public sealed record EventView(long Version, DateTimeOffset RecordedAt, string Type, string Text);

/// <summary>The task queue: messages waiting, taken but not yet acknowledged, and the workers consuming.</summary>
public sealed record QueueView(string Queue, bool Exists, long Ready, long Unacknowledged, int Consumers);

/// <summary>What <c>/api/live</c> says: the store's position now, and which processes changed since its last message (null: many).</summary>
public sealed record LiveChange(long Position, IReadOnlyList<string>? Processes);

/// <summary>An error as every endpoint returns it: one sentence saying what went wrong and what to do.</summary>
public sealed record ErrorView(string Error);

/// <summary>
/// The JSON API behind the page: <c>/api/processes</c>, <c>/api/processes/{id}</c>, <c>/api/processes/{id}/events</c>,
/// <c>/api/workers</c> and <c>/api/queue</c>; the actions are <see cref="DashboardActions"/>, off without the operator token.
/// </summary>
public static class DashboardApi
{
    public const int MaxEventsPerPage = 1000;
    public const int DefaultPageSize = 100;
    public const int DefaultTimelineBars = 2_000, MaxTimelineBars = 10_000, DefaultTimelineBins = 150, MaxTimelineBins = 1_000;

    /// <summary>
    /// A page of processes, the most recently started first (<c>?page=2&amp;size=50</c>); the body stays a plain array, and
    /// <c>X-Total-Count</c> and <c>X-Page-Count</c> say how many there are in all.
    /// </summary>
    /// <remarks>
    /// <c>?status=failed&amp;graph=nightly</c> lists only those; <c>?from=2026-12-01&amp;to=2026-12-02T12:00Z</c> those started
    /// in that range (times as ISO 8601, UTC unless they say otherwise); <c>?id=text</c> those whose id contains it.
    /// </remarks>
    private static async Task<IResult> ProcessesAsync(IProcessList processes, int page, int size, string? status, string? graph, string? from, string? to, string? id,
        HttpResponse response, CancellationToken ct)
    {
        try { ProcessPage.Check(page, size); }
        catch (ArgumentOutOfRangeException)
        {
            return Results.BadRequest(new ErrorView($"'page' must be 1 or more and 'size' between 1 and {ProcessPage.MaxPageSize}."));
        }
        Processes.ProcessStatus? only = null;
        if (status is not null)
        {
            if (!Enum.TryParse<Processes.ProcessStatus>(status, ignoreCase: true, out var parsed) || parsed == Processes.ProcessStatus.NotStarted || int.TryParse(status, out _))
                return Results.BadRequest(new ErrorView($"'status' is '{status}'; it must be running, paused, completed, failed or cancelled."));
            only = parsed;
        }
        foreach (var given in new[] { from, to })
            if (!TryTime(given, out _))
                return Results.BadRequest(new ErrorView($"'from' and 'to' are times such as 2026-12-01 or 2026-12-01T08:30:00Z (got '{given}')."));
        TryTime(from, out var startedFrom);
        TryTime(to, out var startedBefore);
        var found = await processes.PageAsync(page, size, ct, new ProcessFilter(Given(graph), only, startedFrom, startedBefore, Given(id)));
        response.Headers["X-Total-Count"] = found.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["X-Page-Count"] = found.Pages.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Ok(found.Processes);
    }

    private static string? Given(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (Given(text) is not { } given) return true;
        if (!DateTimeOffset.TryParse(given, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        time = parsed;
        return true;
    }

    /// <param name="token">The operator token the actions need; null or empty: no actions (read-only).</param>
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app, DashboardSources sources, string? token = null)
    {
        var reports = new ProcessReports(sources.Events);
        var api = app.MapGroup("/api");
        api.MapGet("/processes", (int? page, int? size, string? status, string? graph, string? from, string? to, string? id, HttpResponse response, CancellationToken ct) =>
            ProcessesAsync(sources.Processes, page ?? 1, size ?? DefaultPageSize, status, graph, from, to, id, response, ct));
        // ?at=N: the process as it stood after its event N (time travel, as history --at N).
        api.MapGet("/processes/{id}", async (string id, long? at, CancellationToken ct) =>
            at is < 1 ? Results.BadRequest(new ErrorView("'at' is an event's version in the process's stream: 1 or more."))
            : await (at is { } version ? reports.AtAsync(ProcessId.From(id), version, ct) : reports.FindAsync(ProcessId.From(id), ct)) is { } detail ? Results.Ok(detail) : UnknownProcess(id));
        api.MapGet("/processes/{id}/steps/{step}/tasks", async (string id, string step, int? page, int? size, CancellationToken ct) =>
            page is < 1 || size is < 1 or > ProcessPage.MaxPageSize
                ? Results.BadRequest(new ErrorView($"'page' must be 1 or more and 'size' between 1 and {ProcessPage.MaxPageSize}."))
                : await reports.TasksAsync(ProcessId.From(id), step, page ?? 1, size ?? DefaultPageSize, ct) is { } tasks ? Results.Ok(tasks)
                : Results.NotFound(new ErrorView($"No step '{step}' in process '{id}'. GET /api/processes/{id} lists its steps.")));
        // The Gantt view: ?bars=N draws every attempt up to N of them (default 2,000), past that each worker's lane in ?bins=M bins.
        api.MapGet("/processes/{id}/timeline", async (string id, int? bars, int? bins, CancellationToken ct) =>
            bars is < 0 or > MaxTimelineBars || bins is < 1 or > MaxTimelineBins
                ? Results.BadRequest(new ErrorView($"'bars' must be between 0 and {MaxTimelineBars} and 'bins' between 1 and {MaxTimelineBins}."))
                : await reports.TimelineAsync(ProcessId.From(id), bars ?? DefaultTimelineBars, bins ?? DefaultTimelineBins, DateTimeOffset.UtcNow, ct) is { } timeline
                    ? Results.Ok(timeline) : UnknownProcess(id));
        api.MapGet("/processes/{id}/events", (string id, long? after, int? limit, CancellationToken ct) => EventsAsync(sources.Events, id, after ?? 0, limit, ct));
        // Ends when the page goes, and when the server stops: an open page must not hold up the orchestrator's shutdown.
        api.MapGet("/live", (IHostApplicationLifetime server, HttpContext http) =>
        {
            var ends = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, server.ApplicationStopping);
            http.Response.RegisterForDispose(ends);
            return TypedResults.ServerSentEvents(LiveAsync(sources.Events, ends.Token));
        });
        api.MapGet("/workers", () => Results.Ok(sources.Workers.Live()));
        api.MapGet("/queue", (CancellationToken ct) => QueueAsync(sources, ct));
        api.MapDashboardActions(token, sources.Send);
        api.MapFallback(() => Results.NotFound(new ErrorView("No such API endpoint. There are /api/processes, /api/processes/{id}, /api/processes/{id}/events, /api/processes/{id}/timeline, /api/live, /api/workers, /api/queue and /api/actions.")));
        return app;
    }

    /// <summary>The events after version <paramref name="after"/>, at most <see cref="MaxEventsPerPage"/>: page on with the last version seen.</summary>
    private static async Task<IResult> EventsAsync(IEventStore store, string id, long after, int? limit, CancellationToken ct)
    {
        if (after < 0 || limit is < 1 or > MaxEventsPerPage)
            return Results.BadRequest(new ErrorView($"'after' must be a version of at least 0 and 'limit' between 1 and {MaxEventsPerPage}."));
        var events = new List<EventView>();
        await foreach (var stored in store.ReadStreamAsync(ProcessStreams.StreamOf(ProcessId.From(id)), after, ct))
        {
            events.Add(new EventView(stored.Version, stored.RecordedAt, EventSerializer.Instance.TypeOf(stored.Event), stored.Event.ToString() ?? ""));
            if (events.Count == (limit ?? MaxEventsPerPage)) break;
        }
        if (events.Count == 0 && after == 0) return UnknownProcess(id);
        return Results.Ok(events);
    }

    /// <summary>
    /// Server-sent events for the page: a <c>change</c> when events were stored, naming the processes they belong to
    /// (null: too many to name, refresh everything), at most two a second however fast events come; a <c>ping</c>
    /// when nothing happened for <see cref="LiveKeepAlive"/>, so proxies keep the connection open.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<LiveChange>> LiveAsync(IEventStore store, [EnumeratorCancellation] CancellationToken ct)
    {
        var seen = await store.HeadAsync(ct);
        yield return new SseItem<LiveChange>(new LiveChange(seen, []), "change");
        while (!ct.IsCancellationRequested)
        {
            await store.WaitForEventsAsync(seen, LiveKeepAlive, ct);
            var head = await store.HeadAsync(ct);
            if (head <= seen)
            {
                yield return new SseItem<LiveChange>(new LiveChange(seen, []), "ping");
                continue;
            }
            var stored = await store.ReadAllAsync(seen, MaxLiveEvents, ct);
            var named = stored.Count < MaxLiveEvents || stored[^1].Position >= head;
            var processes = named ? stored.Select(e => ProcessStreams.ProcessOf(e.Stream)?.Value).OfType<string>().Distinct(StringComparer.Ordinal).ToList() : null;
            seen = head;
            yield return new SseItem<LiveChange>(new LiveChange(head, processes), "change");
            await Task.Delay(LiveThrottle, ct);
        }
    }

    private static readonly TimeSpan LiveKeepAlive = TimeSpan.FromSeconds(15), LiveThrottle = TimeSpan.FromMilliseconds(500);
    private const int MaxLiveEvents = 1_000;

    private static async Task<IResult> QueueAsync(DashboardSources sources, CancellationToken ct)
    {
        if (sources.QueueDepth is null)
            return Results.Json(new ErrorView("This engine has no broker to ask (embedded mode): its task queue lives in memory."), statusCode: StatusCodes.Status404NotFound);
        try
        {
            var depth = await sources.QueueDepth(ct);
            return Results.Ok(depth is null
                ? new QueueView(sources.TaskQueue, false, 0, 0, 0)
                : new QueueView(depth.Queue, true, depth.Ready, depth.Unacknowledged, depth.Consumers));
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return Results.Json(new ErrorView($"RabbitMQ's management API did not answer: {error.Message}"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult UnknownProcess(string id) =>
        Results.NotFound(new ErrorView($"No process '{id}'. GET /api/processes lists the processes there are."));
}
