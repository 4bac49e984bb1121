using Orchestration.Processes;
using Orchestration.Specs.Harness;
using Orchestration.Testing;
using Xunit;

namespace Orchestration.Specs.SelfTests;

/// <summary>The harness must fail loudly and legibly: a spec that passes by accident is worse than none.</summary>
public sealed class spec_harness
{
    [Fact]
    public void a_spec_with_a_wrong_expectation_fails_showing_given_when_then_was_and_diff()
    {
        using var spec = new Sample();
        var failure = Assert.Throws<SpecFailed>(spec.ExpectsTheWrongTask);
        foreach (var section in new[] { "GIVEN", "WHEN", "THEN", "WAS", "DIFF" })
            Assert.Contains(section + Environment.NewLine, failure.Message);
        Assert.Contains("Task p-1/partials/0 attempt 1 confirmed by worker-1", failure.Message);
        Assert.Contains("event #1 differs", failure.Message);
    }

    [Fact]
    public void a_spec_expecting_an_error_fails_when_the_command_is_accepted()
    {
        using var spec = new Sample();
        var failure = Assert.Throws<SpecFailed>(spec.ExpectsAnErrorThatDoesNotHappen);
        Assert.Contains("expected an error, was events", failure.Message);
    }

    [Fact]
    public void a_spec_expecting_an_error_message_fails_when_the_message_says_something_else()
    {
        using var spec = new Sample();
        var failure = Assert.Throws<SpecFailed>(spec.ExpectsTheWrongMessage);
        Assert.Contains("to contain \"no such thing\"", failure.Message);
    }

    [Fact]
    public void a_spec_that_states_no_expectation_fails_when_it_is_disposed()
    {
        var spec = new Sample();
        spec.NeverExpects();
        var failure = Assert.Throws<SpecFailed>(spec.Dispose);
        Assert.Contains("states no expectation", failure.Message);
    }

    [Fact]
    public void a_spec_being_listed_is_described_not_run()
    {
        using var spec = new Sample();
        var described = new List<SpecText>();
        ProcessSpec.DescribeInto(described.Add, spec.ExpectsTheWrongTask);
        var text = Assert.Single(described).Render();
        Assert.Contains("THEN" + Environment.NewLine + "  Task p-1/partials/1 attempt 1 confirmed", text);
        Assert.DoesNotContain("WAS", text);
    }

    /// <summary>Specs used as test subjects; without [Fact] methods they are neither run nor listed on their own.</summary>
    private sealed class Sample : SalesSpec
    {
        public void ExpectsTheWrongTask()
        {
            Given(SalesRunning());
            When(Confirm("partials", 0));
            Expect(Confirmed("partials", 1));
        }

        public void ExpectsAnErrorThatDoesNotHappen()
        {
            Given(SalesRunning());
            When(Confirm("partials", 0));
            Expect("unknown-task");
        }

        public void ExpectsTheWrongMessage()
        {
            Given(SalesRunning());
            When(Confirm("total", 0));
            Expect("unknown-task", saying: "no such thing");
        }

        public void NeverExpects()
        {
            Given(SalesRunning());
            When(Confirm("partials", 0));
        }
    }
}
