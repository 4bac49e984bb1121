using System.CommandLine;
using Orchestration.Hosting;
using Orchestration.Schedules;
using Spectre.Console;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>orch schedules</c>: each configured schedule with its last firing (from its stream) and its next run.</summary>
public static class SchedulesCommand
{
    public static Command Create(OrchestrationSetup setup)
    {
        var command = new Command("schedules", "List the schedules (Orchestration__Schedules__N__...) with their last firing and next run time");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var schedules = Engines.WithSchedules(setup).Graphs.Schedules;
            if (schedules.Count == 0)
            {
                AnsiConsole.MarkupLine("[grey]no schedules (configure Orchestration__Schedules__0__Name, __Graph, __Cron, __Missed, __TimeZone)[/]");
                return 0;
            }
            var (store, owner) = await Engines.OpenEventsAsync(parse);
            await using var _ = owner;
            var now = TimeProvider.System.GetUtcNow();
            // One plain line per schedule, as history prints events: read by people and by grep, never wrapped.
            foreach (var schedule in schedules)
            {
                ScheduleFired? last = null;
                await foreach (var stored in store.ReadStreamAsync(ScheduleDecider.StreamOf(schedule.Name), 0, cancellationToken))
                    last = stored.Event as ScheduleFired ?? last;
                var next = ScheduleDecider.NextAfter(schedule, now);
                Console.WriteLine($"{schedule.Name}: graph '{schedule.Graph}', cron '{schedule.Cron}' ({schedule.TimeZone.Id}), missed runs: {schedule.Missed}, " +
                    $"last fired: {(last is null ? "never" : $"{Utc(last.Occurrence)} ({last.ProcessId})")}, next run: {(next is null ? "never" : Utc(next.Value))}");
            }
            return 0;
        });
        return command;
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
