using Orchestration.Contracts;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// Speculative copies of stragglers in the sales map over four partitions (a SQL step: it speculates by default, once
/// 3 of its 4 tasks are confirmed, for attempts past 1.5x the median). Each confirmed task here ran 250 ms on its worker.
/// </summary>
public sealed class speculate_stragglers : SalesSpec
{
    protected override ProcessGraph DefaultGraph() => MapOnlyGraph();
    protected override IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> DefaultData() => SalesData(partitions: 4);

    private static readonly ReviewStragglers Review = new(Process, "partials");

    /// <summary>All four tasks scheduled, the fourth started on worker-1 at the epoch, and <paramref name="confirmed"/> of the others confirmed.</summary>
    private IProcessEvent[] FourthStraggling(int confirmed = 3) =>
    [
        Started(), StepStarted("partials", 4), .. Enumerable.Range(0, 4).Select(p => Scheduled("partials", p, SalesInputs(p))),
        StartRecorded("partials", 3), .. Enumerable.Range(0, confirmed).Select(p => Confirmed("partials", p, worker: OtherWorker)),
    ];

    private TaskScheduled Copy(int attempt = 2, int of = 1) =>
        Rescheduled("partials", 3, attempt, SalesInputs(3), Now, TimeSpan.Zero) with { CopyOf = of, AwayFrom = Worker };

    [Fact]
    public void a_straggler_past_one_and_a_half_times_the_median_once_three_quarters_are_confirmed_gets_a_copy_away_from_its_worker()
    {
        Given(FourthStraggling());
        Clock.Advance(TimeSpan.FromSeconds(2));
        When(Review);
        Expect(new StragglerCopied(Process, Task("partials", 3), 1, 2, Worker, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250), Now), Copy());
    }

    [Fact]
    public void nothing_is_copied_before_three_quarters_of_the_tasks_are_confirmed()
    {
        Given(FourthStraggling(confirmed: 2));
        Clock.Advance(TimeSpan.FromMinutes(1));
        When(Review);
        ExpectDropped(DropKind.NoStragglers);
    }

    [Fact]
    public void an_attempt_within_one_and_a_half_times_the_median_is_left_alone()
    {
        Given(FourthStraggling());
        Clock.Advance(TimeSpan.FromMilliseconds(300));
        When(Review);
        ExpectDropped(DropKind.NoStragglers);
    }

    [Fact]
    public void a_straggler_is_copied_once()
    {
        Given([.. FourthStraggling(), Copy() with { NotBefore = Epoch, Deadline = Epoch.AddHours(1) }]);
        Clock.Advance(TimeSpan.FromSeconds(10));
        When(Review);
        ExpectDropped(DropKind.NoStragglers);
    }

    [Fact]
    public void the_stragglers_own_result_counts_when_it_comes_first_and_completes_the_step()
    {
        Given([.. FourthStraggling(), Copy()]);
        When(Confirm("partials", 3, attempt: 1));
        Expect(Confirmed("partials", 3, attempt: 1), StepCompleted("partials", 4),
            ProcessCompleted([.. Enumerable.Range(0, 3).Select(p => Output("partials", p)), Output("partials", 3)]));
    }

    [Fact]
    public void the_copys_result_counts_when_it_comes_first_and_the_stragglers_then_is_dropped()
    {
        Given([.. FourthStraggling(), Copy(), Confirmed("partials", 3, attempt: 2, worker: OtherWorker)]);
        When(Confirm("partials", 3, attempt: 1));
        ExpectDropped(DropKind.DuplicateConfirmation);
    }

    [Fact]
    public void a_straggler_that_fails_while_its_copy_runs_is_recorded_and_the_copy_runs_on()
    {
        Given([.. FourthStraggling(), Copy()]);
        When(Fail("partials", 3, "connection reset", retryable: true));
        Expect(AttemptFailed("partials", 3, "connection reset", retryable: true, at: Now));
    }

    [Fact]
    public void a_straggler_with_no_attempt_left_for_a_copy_is_not_copied()
    {
        Using(ProcessGraph.Define("sales-partials", 1)
            .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT * FROM input"), s => s.With("stores", DataSource.Dataset("stores")).Retry(1)).Build());
        Given(FourthStraggling());
        Clock.Advance(TimeSpan.FromSeconds(10));
        When(Review);
        ExpectDropped(DropKind.NoStragglers);
    }

    [Fact]
    public void a_csharp_step_is_not_copied_unless_it_opts_in()
    {
        Using(ProcessGraph.Define("sales-partials", 1)
            .Map("partials", DataSource.Dataset("sales"), StepWork.Code("score"), s => s.With("stores", DataSource.Dataset("stores"))).Build());
        Given(FourthStraggling());
        Clock.Advance(TimeSpan.FromSeconds(10));
        When(Review);
        ExpectDropped(DropKind.NoStragglers);
    }

    [Fact]
    public void a_csharp_step_that_opts_in_is_copied()
    {
        Using(ProcessGraph.Define("sales-partials", 1)
            .Map("partials", DataSource.Dataset("sales"), StepWork.Code("score"), s => s.With("stores", DataSource.Dataset("stores")).Speculate()).Build());
        Given(FourthStraggling());
        Clock.Advance(TimeSpan.FromSeconds(2));
        When(Review);
        Expect(new StragglerCopied(Process, Task("partials", 3), 1, 2, Worker, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250), Now), Copy());
    }

    [Fact]
    public void a_sql_step_that_opts_out_is_not_copied()
    {
        Using(ProcessGraph.Define("sales-partials", 1)
            .Map("partials", DataSource.Dataset("sales"), StepWork.Sql("SELECT * FROM input"), s => s.With("stores", DataSource.Dataset("stores")).NoSpeculation()).Build());
        Given(FourthStraggling());
        Clock.Advance(TimeSpan.FromSeconds(10));
        When(Review);
        ExpectDropped(DropKind.NoStragglers);
    }
}
