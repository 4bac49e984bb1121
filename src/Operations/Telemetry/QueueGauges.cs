using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestration.Adapters.Messaging;

namespace Orchestration.Operations.Telemetry;

/// <summary>
/// Queue depth and live workers (consumers of the task queue) as gauges. The management API is polled every
/// <paramref name="every"/> and a scrape reads the last answer, so scrapers cannot load the broker.
/// </summary>
public sealed class QueueGauges(Uri amqpAddress, string taskQueue, TimeSpan every, ILogger<QueueGauges> logger) : BackgroundService
{
    public const string MeterName = "Orchestration.Operations";

    private readonly Meter _meter = new(MeterName);
    private RabbitMqManagement.QueueDepth? _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _meter.CreateObservableGauge("orchestration.queue.depth", () => Observe(d => d.Ready), "{task}", "Tasks waiting in the task queue for a worker");
        _meter.CreateObservableGauge("orchestration.queue.running", () => Observe(d => d.Unacknowledged), "{task}", "Tasks taken by workers and not yet acknowledged");
        _meter.CreateObservableGauge("orchestration.workers", () => Observe(d => d.Consumers), "{worker}", "Workers consuming the task queue");
        using var management = new RabbitMqManagement(amqpAddress);
        using var timer = new PeriodicTimer(every);
        var failing = false;
        do
        {
            try
            {
                _last = await management.WorkDepthAsync(taskQueue, stoppingToken);
                failing = false;
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                _last = null; // no gauge value beats a stale one
                if (!failing) logger.LogWarning("Queue gauges: the RabbitMQ management API does not answer ({Error}); retrying every {Every}", error.Message, every);
                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    private IEnumerable<Measurement<long>> Observe(Func<RabbitMqManagement.QueueDepth, long> read) =>
        _last is { } depth ? [new Measurement<long>(read(depth))] : [];
}
