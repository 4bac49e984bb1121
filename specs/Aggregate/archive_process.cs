using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Xunit;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// Retention archives an ended process before its events leave the store: a running or paused process is refused (it
/// still needs its events), and once archived the process takes no command, so nothing is appended to a stream on its way out.
/// </summary>
public sealed class archive_process : SalesSpec
{
    [Fact]
    public void archiving_a_completed_process_records_why()
    {
        Given(SalesCompleted());
        Clock.Advance(TimeSpan.FromDays(8));
        When(Archive("ended more than 7 days ago"));
        Expect(Archived("ended more than 7 days ago", at: Now));
    }

    [Fact]
    public void archiving_a_failed_process_records_why()
    {
        Given([.. SalesRunning(), .. StepAndProcessFailed("partials", "task p-1/partials/1 failed and cannot be retried: syntax error", Epoch)]);
        When(Archive());
        Expect(Archived(at: Now));
    }

    [Fact]
    public void archiving_a_running_process_is_refused()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        When(Archive());
        Expect("process-running", saying: "only an ended process can be pruned");
    }

    [Fact]
    public void archiving_a_paused_process_is_refused()
    {
        Given([.. SalesRunning(), Paused()]);
        When(Archive());
        Expect("process-running", saying: "is paused; only an ended process can be pruned");
    }

    [Fact]
    public void archiving_an_archived_process_again_records_nothing_so_a_prune_cut_short_can_run_again()
    {
        Given([.. SalesCompleted(), Archived()]);
        When(Archive("the next prune"));
        Expect();
    }

    [Fact]
    public void an_archived_process_cannot_be_retried()
    {
        Given([.. SalesRunning(), Cancelled(), Archived()]);
        When(Retry());
        Expect("process-archived", saying: "is being pruned");
    }

    [Fact]
    public void an_archived_process_cannot_be_started_again_until_its_stream_is_removed()
    {
        Given([.. SalesCompleted(), Archived()]);
        When(Start());
        Expect("process-archived", saying: "Run the prune again to finish it");
    }

    [Fact]
    public void a_late_confirmation_of_an_archived_process_is_dropped()
    {
        Given([.. SalesCompleted(), Archived()]);
        When(Confirm("partials", 0));
        ExpectDropped(DropKind.ProcessEnded);
    }

    [Fact]
    public void archiving_an_unknown_process_is_refused()
    {
        When(Archive());
        Expect("unknown-process", saying: "has not been started");
    }
}
