namespace Orchestration.Operations.Scaling;

/// <summary>
/// The local autoscaler's loop: every interval it reads the task queue, lets the <see cref="ScalingPolicy"/> decide,
/// and has the <see cref="WorkerSupervisor"/> apply the decision. It prints a line whenever the reading or the
/// decision changes (time, ready, unacknowledged, consumers, current -> desired, why), and stops every worker when
/// it is stopped itself.
/// </summary>
public sealed class Autoscaler(ScalingPolicy policy, QueueProbe probe, WorkerSupervisor workers, TimeSpan interval, TimeProvider clock, Action<string> report)
{
    public async Task RunAsync(CancellationToken stop)
    {
        var state = policy.Start();
        report($"scaling {probe.Queue}: {policy.Min}..{policy.Max} workers, {policy.PerWorker} ready tasks per worker, cool-down {policy.CoolDown.TotalSeconds:0} s");
        using var timer = new PeriodicTimer(interval, clock);
        string? last = null;
        try
        {
            workers.ScaleTo(state.Workers);
            do
            {
                workers.Tend();
                var (line, next) = await StepAsync(state, stop);
                state = next;
                workers.ScaleTo(state.Workers);
                if (line.Key != last) report($"{clock.GetUtcNow():HH:mm:ss} {line.Text}");
                last = line.Key;
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopped: fall through to stopping the workers
        }
        finally
        {
            report($"stopping {workers.Running} workers");
            await workers.StopAllAsync();
        }
    }

    private async Task<((string Key, string Text) Line, ScalingState Next)> StepAsync(ScalingState state, CancellationToken stop)
    {
        QueueObservation observation;
        try
        {
            observation = await probe.ReadAsync(stop);
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
        {
            // No reading, no decision: a broker restart must not stop (or start) the pool.
            var unreadable = $"queue unreadable ({error.Message.Split('\n')[0]}); holding {state.Workers} workers";
            return ((unreadable, unreadable), state);
        }
        var decision = policy.Decide(state, observation, clock.GetUtcNow());
        var figures = $"ready {observation.Ready} unacked {observation.Unacknowledged} consumers {observation.Consumers} workers {decision.Current} -> {decision.Desired}";
        // The reason's first word (scale up, steady, cooling down, scale down) is part of the key; its seconds are not.
        return (($"{figures} {decision.Reason.Split(':')[0]}", $"{figures} {decision.Reason}"), decision.Next);
    }
}
