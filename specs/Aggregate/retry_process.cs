using Orchestration.Contracts;
using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;
using static Orchestration.Specs.Harness.Sample;

namespace Orchestration.Specs.Aggregate;

/// <summary>
/// A failed or cancelled process retried goes on where it stopped: confirmed tasks stay confirmed, its unconfirmed
/// tasks get fresh attempts with the whole retry budget again, and its history is appended to.
/// The sales map allows 3 attempts, with 2 s of backoff doubling.
/// </summary>
public sealed class retry_process : SalesSpec
{
    private const string BadPartition = "Conversion Error: Could not convert string 'n/a' to INT32";

    /// <summary>Partial 0 confirmed, partial 1 failed for good on a bad row: the step and the process failed.</summary>
    private IProcessEvent[] FailedOnABadPartition() =>
    [
        .. SalesRunning(), Confirmed("partials", 0),
        AttemptFailed("partials", 1, BadPartition, retryable: false),
        .. StepAndProcessFailed("partials", $"task p-1/partials/1 failed and cannot be retried: {BadPartition}"),
    ];

    private static readonly Dictionary<string, int> PartialsStarted = new() { ["partials"] = 2 };

    [Fact]
    public void retrying_a_failed_process_gives_its_failed_task_a_fresh_attempt_and_leaves_the_confirmed_one_alone()
    {
        Given(FailedOnABadPartition());
        Clock.Advance(TimeSpan.FromMinutes(10));
        When(Retry("the partition was fixed"));
        Expect(
            Retried(PartialsStarted, "the partition was fixed", at: Now),
            Rescheduled("partials", 1, 2, SalesInputs(1), Now, TimeSpan.Zero));
    }

    [Fact]
    public void the_retried_process_completes_as_its_fresh_attempts_are_confirmed()
    {
        Given([.. FailedOnABadPartition(), Retried(PartialsStarted), Rescheduled("partials", 1, 2, SalesInputs(1), Epoch, TimeSpan.Zero)]);
        When(Confirm("partials", 1, attempt: 2));
        Expect(
            Confirmed("partials", 1, attempt: 2),
            StepCompleted("partials", 2),
            StepStarted("total", 1),
            Scheduled("total", 0, [new("partials", Output("partials", 0)), new("partials", Output("partials", 1, attempt: 2))]));
    }

    [Fact]
    public void a_late_result_of_an_attempt_from_before_the_retry_is_dropped()
    {
        Given([.. FailedOnABadPartition(), Retried(PartialsStarted), Rescheduled("partials", 1, 2, SalesInputs(1), Epoch, TimeSpan.Zero)]);
        When(Confirm("partials", 1, attempt: 1));
        ExpectDropped(DropKind.LateAttempt);
    }

    [Fact]
    public void a_retried_task_has_its_whole_retry_budget_again()
    {
        Given([
            .. SalesRunning(), .. Retries("partials", 1, SalesInputs(1), 2, 4),
            AttemptFailed("partials", 1, "connection reset", retryable: true, attempt: 3),
            .. StepAndProcessFailed("partials", "task p-1/partials/1 failed: connection reset (attempt 3 of 3, no retries left)"),
            Retried(PartialsStarted), Rescheduled("partials", 0, 2, SalesInputs(0), Epoch, TimeSpan.Zero), Rescheduled("partials", 1, 4, SalesInputs(1), Epoch, TimeSpan.Zero),
        ]);
        When(Fail("partials", 1, "connection reset", retryable: true, attempt: 4));
        Expect(
            AttemptFailed("partials", 1, "connection reset", retryable: true, attempt: 4, at: Now),
            RetryScheduled("partials", 1, 5, TimeSpan.FromSeconds(2), "connection reset", Now),
            Rescheduled("partials", 1, 5, SalesInputs(1), Now, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void a_retried_task_that_uses_up_its_budget_again_fails_the_process_saying_so()
    {
        Given([
            .. FailedOnABadPartition(), Retried(PartialsStarted),
            Rescheduled("partials", 1, 2, SalesInputs(1), Epoch, TimeSpan.Zero), .. Retries("partials", 1, SalesInputs(1), 2, 4).Select(e => e switch
            {
                TaskRetryScheduled r => r with { Attempt = r.Attempt + 1 },
                TaskScheduled s => s with { Attempt = s.Attempt + 1 },
                _ => e,
            }),
        ]);
        When(Fail("partials", 1, "connection reset", retryable: true, attempt: 4));
        Expect([AttemptFailed("partials", 1, "connection reset", retryable: true, attempt: 4, at: Now),
            .. StepAndProcessFailed("partials", "task p-1/partials/1 failed: connection reset (attempt 3 of 3 since the process was retried, no retries left)", Now)]);
    }

    [Fact]
    public void retrying_a_cancelled_process_gives_every_unconfirmed_task_a_fresh_attempt()
    {
        Given([.. SalesRunning(), Confirmed("partials", 1), Cancelled("wrong day")]);
        When(Retry());
        Expect(Retried(PartialsStarted, at: Now), Rescheduled("partials", 0, 2, SalesInputs(0), Now, TimeSpan.Zero));
    }

    [Fact]
    public void retrying_a_process_that_failed_in_its_last_step_runs_only_that_step_again()
    {
        Given([.. MergeRunning(), AttemptFailed("total", 0, "disk full", retryable: false),
            .. StepAndProcessFailed("total", "task p-1/total/0 failed and cannot be retried: disk full")]);
        When(Retry());
        Expect(Retried(new Dictionary<string, int> { ["partials"] = 2, ["total"] = 1 }, at: Now), Rescheduled("total", 0, 2, MergeInputs(), Now, TimeSpan.Zero));
    }

    [Fact]
    public void a_retry_over_a_fixed_copy_of_the_bad_partition_gives_the_fresh_attempt_the_copy_to_read()
    {
        var fixedCopy = Blob("sales-1-fixed.parquet");
        var datasets = Replacing(1, fixedCopy);
        Given(FailedOnABadPartition());
        When(Retry("the partition was fixed", datasets: new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = datasets["sales"] }));
        Expect(
            Retried(PartialsStarted, "the partition was fixed", at: Now, datasets: datasets),
            Rescheduled("partials", 1, 2, [new("input", fixedCopy), new("stores", Data["stores"][0])], Now, TimeSpan.Zero));
    }

    [Fact]
    public void a_retry_that_changes_a_blob_a_confirmed_task_read_is_refused()
    {
        Given(FailedOnABadPartition());
        When(Retry(datasets: new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = Replacing(0, Blob("sales-0-changed.parquet"))["sales"] }));
        Expect("confirmed-input-changed", saying: "which task p-1/partials/0 read and was confirmed over");
    }

    [Fact]
    public void a_retry_that_changes_how_many_blobs_a_dataset_has_is_refused()
    {
        Given(FailedOnABadPartition());
        When(Retry(datasets: new Dictionary<string, IReadOnlyList<BlobRef>> { ["sales"] = [Data["sales"][0]] }));
        Expect("dataset-reshaped", saying: "Dataset 'sales' of process p-1 has 2 blob(s) and the retry gives 1");
    }

    [Fact]
    public void a_retry_that_replaces_a_dataset_the_process_does_not_read_is_refused()
    {
        Given(FailedOnABadPartition());
        When(Retry(datasets: new Dictionary<string, IReadOnlyList<BlobRef>> { ["returns"] = [Blob("returns.parquet")] }));
        Expect("dataset-unknown", saying: "Process p-1 reads no dataset 'returns'; it reads 'sales', 'stores'.");
    }

    /// <summary>The spec's data with blob <paramref name="index"/> of the sales replaced.</summary>
    private Dictionary<string, IReadOnlyList<BlobRef>> Replacing(int index, BlobRef copy) => new(Data)
    {
        ["sales"] = Data["sales"].Select((b, i) => i == index ? copy : b).ToArray(),
    };

    [Fact]
    public void retrying_a_completed_process_is_refused()
    {
        Given(SalesCompleted());
        When(Retry());
        Expect("process-completed", saying: "Process p-1 has completed; there is nothing to retry");
    }

    [Fact]
    public void retrying_a_running_process_is_refused()
    {
        Given(SalesRunning());
        When(Retry());
        Expect("process-running", saying: "Process p-1 is running; only a failed or cancelled process can be retried");
    }

    [Fact]
    public void retrying_a_paused_process_is_refused()
    {
        Given([.. SalesRunning(), Paused()]);
        When(Retry());
        Expect("process-running", saying: "Process p-1 is paused; only a failed or cancelled process can be retried");
    }

    [Fact]
    public void retrying_a_process_that_never_started_is_refused()
    {
        When(Retry());
        Expect("unknown-process", saying: "Process p-1 has not been started");
    }
}
