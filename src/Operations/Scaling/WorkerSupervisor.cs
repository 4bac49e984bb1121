using System.Diagnostics;

namespace Orchestration.Operations.Scaling;

/// <summary>
/// Keeps a number of worker processes running on this machine: starts missing ones, stops extra ones with SIGTERM
/// (a worker finishes its running tasks within its grace period or hands them back to the queue), and replaces
/// workers that exit on their own. Not thread-safe: one loop drives it.
/// </summary>
/// <param name="startInfo">How to start the worker of a given name (the same <c>orch worker</c> command line, usually).</param>
/// <param name="namePrefix">Workers are named <c>prefix-1</c>, <c>prefix-2</c>, ... never reusing a name, so two never share a scratch directory.</param>
/// <param name="stopTimeout">How long a stopped worker may take to exit before it is killed.</param>
/// <param name="report">Where each start, stop and exit is told, one line each.</param>
public sealed class WorkerSupervisor(Func<string, ProcessStartInfo> startInfo, string namePrefix, TimeSpan stopTimeout, Action<string> report, TimeProvider clock)
{
    private sealed record Worker(string Name, Process Process)
    {
        public DateTimeOffset? StopSent { get; set; }
        public override string ToString() => $"{Name} (pid {Process.Id})";
    }

    private readonly List<Worker> _running = [];
    private readonly List<Worker> _stopping = [];
    private int _started;

    /// <summary>Workers meant to be running (started and not asked to stop).</summary>
    public int Running => _running.Count;

    /// <summary>Workers asked to stop that have not exited yet.</summary>
    public int Stopping => _stopping.Count;

    /// <summary>Process ids of the running workers, oldest first.</summary>
    public IReadOnlyList<int> RunningIds => _running.Select(w => w.Process.Id).ToList();

    /// <summary>Starts or stops workers until <paramref name="desired"/> are running; the newest are stopped first.</summary>
    public void ScaleTo(int desired)
    {
        while (_running.Count < desired) _running.Add(Start());
        while (_running.Count > desired)
        {
            var worker = _running[^1];
            _running.RemoveAt(_running.Count - 1);
            Stop(worker);
        }
    }

    /// <summary>Replaces running workers that exited, forgets stopped ones that exited, kills those past the stop timeout.</summary>
    public void Tend()
    {
        for (var i = 0; i < _running.Count; i++)
        {
            var worker = _running[i];
            if (!worker.Process.HasExited) continue;
            report($"worker {worker} exited unexpectedly (exit {worker.Process.ExitCode}); starting a replacement");
            worker.Process.Dispose();
            _running[i] = Start();
        }
        foreach (var worker in _stopping.ToList())
        {
            if (worker.Process.HasExited) Forget(worker);
            else if (clock.GetUtcNow() - worker.StopSent > stopTimeout) Kill(worker);
        }
    }

    /// <summary>Stops every worker with SIGTERM and waits for them to exit (killing those past the stop timeout).</summary>
    public async Task StopAllAsync()
    {
        ScaleTo(0);
        using var deadline = new CancellationTokenSource(stopTimeout, clock);
        foreach (var worker in _stopping.ToList())
        {
            try { await worker.Process.WaitForExitAsync(deadline.Token); }
            catch (OperationCanceledException) { Kill(worker); }
            if (worker.Process.WaitForExit(TimeSpan.FromSeconds(5))) Forget(worker);
        }
    }

    private Worker Start()
    {
        var name = $"{namePrefix}-{++_started}";
        var info = startInfo(name);
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        var process = new Process { StartInfo = info };
        // The workers' own lines (their logs, shutdown reports) are relayed under their names, one line at a time.
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) report($"[{name}] {line.Data}"); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) report($"[{name}] {line.Data}"); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var worker = new Worker(name, process);
        report($"started worker {worker}");
        return worker;
    }

    private void Stop(Worker worker)
    {
        worker.StopSent = clock.GetUtcNow();
        _stopping.Add(worker);
        if (worker.Process.HasExited) return;
        Signals.Terminate(worker.Process);
        report($"stopping worker {worker} (SIGTERM: it finishes or hands back its tasks)");
    }

    private void Forget(Worker worker)
    {
        report($"worker {worker} stopped (exit {worker.Process.ExitCode})");
        _stopping.Remove(worker);
        worker.Process.Dispose();
    }

    private void Kill(Worker worker)
    {
        report($"worker {worker} did not stop within {stopTimeout.TotalSeconds:0} s; killing it");
        worker.Process.Kill(entireProcessTree: true);
    }
}
