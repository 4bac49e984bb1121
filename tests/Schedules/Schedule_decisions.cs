using FluentAssertions;
using Orchestration.Schedules;
using Xunit;

namespace Orchestration.Tests.Schedules;

/// <summary>
/// When a schedule fires, as a table of (last firing, now) → occurrences, for each missed-run policy, across an
/// outage and across daylight-saving changes. Times in UTC unless a zone is named.
/// </summary>
public sealed class Schedule_decisions
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static ScheduleDefinition Hourly(MissedRunPolicy missed, int maxCatchUp = 10) =>
        new("hourly", "g", "0 * * * *", new Dictionary<string, string>(), missed, TimeZoneInfo.Utc, maxCatchUp);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static ScheduleDecision Decide(ScheduleDefinition schedule, string? lastFired, string now, string? since = null) =>
        ScheduleDecider.Decide(schedule, lastFired is null ? null : Utc(lastFired), Utc(since ?? "2000-01-01T00:00:00"), Utc(now));

    [Theory]
    [InlineData(MissedRunPolicy.Skip)]
    [InlineData(MissedRunPolicy.CatchUp)]
    public void On_time_the_occurrence_just_passed_fires_once_and_the_next_is_an_hour_on(MissedRunPolicy missed)
    {
        var decision = Decide(Hourly(missed), lastFired: "2026-11-23T13:00:00", now: "2026-11-23T14:00:00.300");

        decision.Fire.Should().Equal(Utc("2026-11-23T14:00:00"));
        decision.Skipped.Should().Be(0);
        decision.Next.Should().Be(Utc("2026-11-23T15:00:00"));
    }

    [Fact]
    public void An_occurrence_already_fired_never_fires_again()
    {
        var decision = Decide(Hourly(MissedRunPolicy.CatchUp), lastFired: "2026-11-23T14:00:00", now: "2026-11-23T14:59:59");

        decision.Fire.Should().BeEmpty();
        decision.Next.Should().Be(Utc("2026-11-23T15:00:00"));
    }

    [Fact]
    public void A_schedule_that_never_fired_counts_from_when_it_was_first_watched_not_from_its_past()
    {
        Decide(Hourly(MissedRunPolicy.CatchUp), lastFired: null, since: "2026-11-23T13:30:00", now: "2026-11-23T14:00:01")
            .Fire.Should().Equal(Utc("2026-11-23T14:00:00"));
        Decide(Hourly(MissedRunPolicy.CatchUp), lastFired: null, since: "2026-11-23T14:05:00", now: "2026-11-23T14:10:00")
            .Fire.Should().BeEmpty();
    }

    [Fact]
    public void After_four_hours_down_skip_runs_only_the_latest_occurrence_and_counts_the_three_it_skipped()
    {
        var decision = Decide(Hourly(MissedRunPolicy.Skip), lastFired: "2026-11-23T10:00:00", now: "2026-11-23T14:10:00");

        decision.Fire.Should().Equal(Utc("2026-11-23T14:00:00"));
        decision.Skipped.Should().Be(3);
        decision.Next.Should().Be(Utc("2026-11-23T15:00:00"));
    }

    [Fact]
    public void After_four_hours_down_catch_up_runs_each_missed_occurrence_oldest_first()
    {
        var decision = Decide(Hourly(MissedRunPolicy.CatchUp), lastFired: "2026-11-23T10:00:00", now: "2026-11-23T14:10:00");

        decision.Fire.Should().Equal(Utc("2026-11-23T11:00:00"), Utc("2026-11-23T12:00:00"), Utc("2026-11-23T13:00:00"), Utc("2026-11-23T14:00:00"));
        decision.Skipped.Should().Be(0);
    }

    [Fact]
    public void After_a_long_outage_catch_up_is_bounded_to_the_latest_occurrences()
    {
        var decision = Decide(Hourly(MissedRunPolicy.CatchUp, maxCatchUp: 2), lastFired: "2026-11-20T10:00:00", now: "2026-11-23T14:10:00");

        decision.Fire.Should().Equal(Utc("2026-11-23T13:00:00"), Utc("2026-11-23T14:00:00"));
        decision.Skipped.Should().Be(3 * 24 + 4 - 2);
    }

    [Fact]
    public void A_daily_run_at_a_local_time_skipped_by_the_spring_change_runs_at_the_end_of_the_gap()
    {
        // Europe/Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
        var nightly = new ScheduleDefinition("nightly", "g", "30 2 * * *", new Dictionary<string, string>(), MissedRunPolicy.CatchUp, Berlin);

        var decision = ScheduleDecider.Decide(nightly, Utc("2026-03-28T01:30:00"), Utc("2000-01-01T00:00:00"), Utc("2026-03-29T12:00:00"));

        decision.Fire.Should().Equal(Utc("2026-03-29T01:00:00")); // 03:00 CEST
        ScheduleDecider.ProcessIdFor("nightly", decision.Fire[0]).Value.Should().Be("nightly-20260329T0100Z");
        decision.Next.Should().Be(Utc("2026-03-30T00:30:00")); // 02:30 CEST
    }

    [Fact]
    public void A_daily_run_at_a_local_time_repeated_by_the_autumn_change_runs_once()
    {
        // Europe/Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice; the run happens once.
        var nightly = new ScheduleDefinition("nightly", "g", "30 2 * * *", new Dictionary<string, string>(), MissedRunPolicy.CatchUp, Berlin);

        var decision = ScheduleDecider.Decide(nightly, Utc("2026-10-24T00:30:00"), Utc("2000-01-01T00:00:00"), Utc("2026-10-25T12:00:00"));

        decision.Fire.Should().Equal(Utc("2026-10-25T00:30:00")); // the first 02:30, CEST
        decision.Next.Should().Be(Utc("2026-10-26T01:30:00")); // 02:30 CET
    }

    [Fact]
    public void A_cron_is_read_in_its_time_zone_so_nine_in_new_york_moves_in_utc_with_daylight_saving()
    {
        var morning = new ScheduleDefinition("morning", "g", "0 9 * * *", new Dictionary<string, string>(), MissedRunPolicy.Skip, NewYork);

        ScheduleDecider.NextAfter(morning, Utc("2026-07-01T00:00:00")).Should().Be(Utc("2026-07-01T13:00:00"));
        ScheduleDecider.NextAfter(morning, Utc("2026-12-01T00:00:00")).Should().Be(Utc("2026-12-01T14:00:00"));
    }

    [Fact]
    public void A_process_id_is_the_schedule_and_the_occurrence_in_utc_with_seconds_only_when_the_cron_has_them()
    {
        ScheduleDecider.ProcessIdFor("nightly", new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.FromHours(1))).Value.Should().Be("nightly-20261123T1400Z");
        ScheduleDecider.ProcessIdFor("fast", Utc("2026-11-23T14:00:30")).Value.Should().Be("fast-20261123T140030Z");
    }

    [Fact]
    public void A_bad_schedule_is_told_every_problem()
    {
        new ScheduleDefinition("no way", "g", "61 * * *", new Dictionary<string, string>(), MissedRunPolicy.CatchUp, TimeZoneInfo.Utc, MaxCatchUp: 0)
            .Problems().Should().HaveCount(3).And.Contain(p => p.StartsWith("schedule 'no way': cron '61 * * *' is not valid"));
    }
}
