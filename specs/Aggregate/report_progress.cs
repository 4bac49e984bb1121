using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A C# step that reports progress from its own code, where its graph lets progress extend its timeout: its attempts may
/// run 1 minute, each report allowing 1 more minute from it, up to 10 minutes from the start; beats are due every 30 s.
/// </summary>
public sealed class report_progress : SalesSpec
{
    private static readonly ProcessGraph Scoring = ProcessGraph.Define("sales-scores", 1)
        .Map("partials", DataSource.Dataset("sales"), StepWork.Code("score"),
            s => s.With("stores", DataSource.Dataset("stores")).Timeout(TimeSpan.FromMinutes(1)).TimeoutExtendedByProgress(TimeSpan.FromMinutes(10)))
        .Build();

    protected override ProcessGraph DefaultGraph() => Scoring;

    private static RecordHeartbeat Progress(string details) => new(Process, Task("partials", 0), 1, Worker, details);

    private IProcessEvent[] Running() => [.. SalesRunning(), StartRecorded("partials", 0)];

    [Fact]
    public void a_progress_report_lets_the_attempt_run_one_more_task_timeout_from_it()
    {
        Given(Running());
        Clock.Advance(TimeSpan.FromSeconds(50));
        When(Progress("4,000 of 9,000 customers"));
        Expect(new TaskHeartbeatRecorded(Process, Task("partials", 0), 1, Worker, Now.AddSeconds(30), Now, Cap: Now.AddMinutes(1), Progress: "4,000 of 9,000 customers"));
    }

    [Fact]
    public void progress_never_lets_an_attempt_run_past_the_graphs_limit()
    {
        Given(Running());
        Clock.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(45));
        When(Progress("almost"));
        Expect(new TaskHeartbeatRecorded(Process, Task("partials", 0), 1, Worker, Epoch.AddMinutes(10), Now, Cap: Epoch.AddMinutes(10), Progress: "almost"));
    }

    [Fact]
    public void an_attempt_timed_out_at_its_extended_cap_says_how_long_it_ran_and_why()
    {
        Given([.. Running(), new TaskHeartbeatRecorded(Process, Task("partials", 0), 1, Worker, Epoch.AddMinutes(3), Epoch.AddMinutes(2), Cap: Epoch.AddMinutes(3), Progress: "stuck")]);
        Clock.Advance(TimeSpan.FromMinutes(3));
        When(TryTimeout("partials", 0));
        Expect(
            TimedOut("partials", 0, 1, deadline: Now, at: Now),
            RetryScheduled("partials", 0, 2, TimeSpan.FromSeconds(1), "timed out after 3 min on worker-1 (its 60 s timeout extended by its progress, up to 10 min)", Now),
            Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void progress_from_a_step_whose_graph_does_not_let_it_extend_the_timeout_is_only_a_beat()
    {
        Using(SalesGraph());
        Given(Running());
        Clock.Advance(TimeSpan.FromSeconds(50));
        When(Progress("half way"));
        Expect(new TaskHeartbeatRecorded(Process, Task("partials", 0), 1, Worker, Epoch.AddMinutes(1), Now, Progress: "half way"));
    }
}
