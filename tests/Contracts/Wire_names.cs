using System.Text.Json;
using FluentAssertions;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Contracts;

/// <summary>Stored events and sent messages are named independently of their CLR names, and survive a round trip.</summary>
public sealed class Wire_names
{
    private static readonly IEnumerable<Type> WireTypes =
        typeof(IProcessEvent).Assembly.GetTypes().Where(t => typeof(IProcessEvent).IsAssignableFrom(t) && !t.IsInterface)
            .Concat([typeof(StartProcess), typeof(CancelProcess), typeof(RetryProcess), typeof(PauseProcess), typeof(ResumeProcess), typeof(ArchiveProcess)]) // the commands a client (or a prune) sends to the orchestrator
            .Concat(typeof(RunTask).Assembly.GetTypes().Where(t => t.Namespace == typeof(RunTask).Namespace && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false) && t.Name is not (nameof(TaskMetrics) or nameof(ReportedOutcome)))); // parts of messages, not messages

    [Fact]
    public void Every_event_and_message_has_a_unique_wire_name()
    {
        var names = new WireNames(typeof(IProcessEvent).Assembly, typeof(RunTask).Assembly);

        foreach (var type in WireTypes)
            names.TypeOf(names.NameOf(type)).Should().Be(type);
        names.Names.Should().OnlyHaveUniqueItems().And.HaveCount(WireTypes.Count());
    }

    [Fact]
    public void A_message_survives_a_json_round_trip_with_ids_written_as_plain_strings()
    {
        var blob = new BlobRef(new Uri("blob://local/p-1/map/0/a1/part-0.parquet"), "ab12", 2048, 17);
        var message = new TaskCompleted(ProcessId.From("p-1"), TaskId.From("p-1/map/0"), 1, WorkerId.From("w-1"),
            [blob], new Dictionary<string, string> { ["partitions"] = "3" }, new TaskMetrics(17, 2048, 4096, TimeSpan.FromMilliseconds(12)));

        var json = JsonSerializer.Serialize(message);
        var back = JsonSerializer.Deserialize<TaskCompleted>(json)!;

        json.Should().Contain("\"TaskId\":\"p-1/map/0\"");
        back.Outputs.Should().Equal(blob);
        back.Metadata.Should().Equal(message.Metadata);
        (back with { Outputs = message.Outputs, Metadata = message.Metadata }).Should().Be(message);
    }

    [Fact]
    public void Messages_read_as_sentences()
    {
        var failed = new TaskFailed(ProcessId.From("p-1"), TaskId.From("p-1/map/3"), 2, WorkerId.From("w-7"), "Parser Error: syntax error at or near \"SELEC\"", false);

        failed.ToString().Should().Be("Task p-1/map/3 attempt 2 failed on w-7 (not retryable): Parser Error: syntax error at or near \"SELEC\"");
    }
}
