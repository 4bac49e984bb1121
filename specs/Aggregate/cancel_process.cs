using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

public sealed class cancel_process : SalesSpec
{
    [Fact]
    public void cancelling_while_tasks_run_ends_the_process_with_the_reason()
    {
        Given([.. SalesRunning(), Confirmed("partials", 0)]);
        Clock.Advance(TimeSpan.FromSeconds(15));
        When(Cancel("wrong day requested"));
        Expect(Cancelled("wrong day requested", at: Now));
    }

    [Fact]
    public void a_confirmation_that_arrives_after_the_cancel_is_dropped()
    {
        Given([.. SalesRunning(), Cancelled()]);
        When(Confirm("partials", 1));
        ExpectDropped(DropKind.ProcessEnded);
    }

    [Fact]
    public void a_failure_that_arrives_after_the_cancel_is_dropped()
    {
        Given([.. SalesRunning(), Cancelled()]);
        When(Fail("partials", 1, "connection reset", retryable: true));
        ExpectDropped(DropKind.ProcessEnded);
    }

    [Fact]
    public void a_timeout_that_arrives_after_the_cancel_is_dropped()
    {
        Given([.. SalesRunning(), Cancelled()]);
        Clock.Advance(TimeSpan.FromMinutes(5));
        When(TryTimeout("partials", 1));
        ExpectDropped(DropKind.StaleTimeout);
    }

    [Fact]
    public void cancelling_a_completed_process_is_refused()
    {
        Given(SalesCompleted());
        When(Cancel());
        Expect("process-ended", saying: "has already ended (Completed)");
    }

    [Fact]
    public void cancelling_a_process_twice_is_refused()
    {
        Given([.. SalesRunning(), Cancelled()]);
        When(Cancel());
        Expect("process-ended", saying: "has already ended (Cancelled)");
    }

    [Fact]
    public void cancelling_a_process_that_never_started_is_refused()
    {
        When(Cancel());
        Expect("unknown-process", saying: "Process p-1 has not been started");
    }

    [Fact]
    public void cancelling_another_process_through_this_one_is_refused()
    {
        Given(SalesRunning());
        When(new CancelProcess(ProcessId.From("p-2"), "stopped by an operator"));
        Expect("wrong-process");
    }
}
